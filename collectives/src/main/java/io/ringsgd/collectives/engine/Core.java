package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.algorithm.AlgorithmRegistry;
import io.ringsgd.collectives.algorithm.BcubeAllreduce;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Transport;

/**
 * What every family of a {@link TransportCommunicator}'s collectives shares: the transport, the configuration, the
 * collective context, the registry, the argument checks, the sequencer, and the choice of algorithm (AUTO through the
 * selection table, then checked against the registry for this transport, on the calling thread).
 */
final class Core {
    final Transport transport;
    final CommunicatorConfig config;
    final CollectiveContext ctx;
    final AlgorithmRegistry registry = AlgorithmRegistry.standard();
    final int rank;
    final int size;
    final Arguments args;
    final Sequencer seq;

    Core(Transport transport, CommunicatorConfig config) {
        this.transport = transport;
        this.config = config;
        this.rank = transport.rank();
        this.size = transport.size();
        this.ctx = new CollectiveContext(transport, config.segmentBytes(), config.window());
        this.args = new Arguments(rank, size);
        this.seq = new Sequencer(transport, ctx, config.tracer());
    }

    /**
     * The algorithm a collective of {@code kind} moving {@code bytes} runs with {@code options}, checked against the
     * registry for this transport: an algorithm it lacks fails here, at the call, before anything is sent.
     */
    Algorithm algorithm(CollectiveKind kind, CollectiveOptions options, long bytes) {
        Algorithm a = resolve(kind, options.algorithm(), bytes);
        registry.require(kind, a, transport);
        if (a == Algorithm.BCUBE) {
            BcubeAllreduce.levels(size, bcubeBase(options));
        }
        return a;
    }

    /**
     * As {@link #algorithm(CollectiveKind, CollectiveOptions, long)} for a collective moving {@code data}; the
     * transport's own collectives (mpj-native) take only float and double elements.
     */
    Algorithm algorithm(CollectiveKind kind, CollectiveOptions options, ElementBuffer data) {
        Algorithm a = algorithm(kind, options, data.byteSize());
        if (a == Algorithm.NATIVE && data.type() != ElementType.FLOAT && data.type() != ElementType.DOUBLE) {
            throw new IllegalArgumentException(kind.label() + " of " + data.type().label() + " elements has no "
                    + a.cliName() + " algorithm: the transport's own collectives take float or double elements;"
                    + " use auto or one of ringsgd's algorithms");
        }
        return a;
    }

    Algorithm resolve(CollectiveKind kind, Algorithm requested, long bytes) {
        Algorithm a = requested;
        if (a == Algorithm.AUTO && kind == CollectiveKind.ALLREDUCE) {
            a = config.allreduceAlgorithm();
        }
        if (a == Algorithm.AUTO) {
            a = config.table().select(kind, bytes, size);
        }
        return a;
    }

    int segment(CollectiveOptions o) {
        return o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes();
    }

    int bcubeBase(CollectiveOptions o) {
        return o.bcubeBase() != 0 ? o.bcubeBase() : config.bcubeBase();
    }

    /** Sets the pipelining parameters of the collective about to run from its options. */
    void pipelining(CollectiveOptions o) {
        ctx.segmentBytes(segment(o));
        ctx.bcubeBase(bcubeBase(o));
    }
}

package io.ringsgd.benchmarks.jmh;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.tcp.TcpCommunicators;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A group of P ranks for JMH: rank 0 is the benchmark thread; ranks 1..P−1 are helper threads that repeat the same
 * collective forever. The collective itself keeps them in lockstep with rank 0, so one JMH invocation on rank 0 is one
 * collective of the whole group. Closing aborts the group, which releases helpers blocked in a collective.
 */
final class RankGroup implements AutoCloseable {
    private final List<Communicator> comms;
    private final List<Thread> helpers = new ArrayList<>();
    private volatile boolean closed;

    private RankGroup(List<Communicator> comms) {
        this.comms = comms;
    }

    /** P ranks over the in-JVM transport. */
    static RankGroup local(int p, CommunicatorConfig cfg) {
        return new RankGroup(Communicators.local(p, cfg));
    }

    /** P ranks over TCP loopback (one thread each, real sockets). */
    static RankGroup tcp(int p, CommunicatorConfig cfg) {
        return new RankGroup(TcpCommunicators.loopback(p, cfg, true));
    }

    /**
     * P ranks over {@code transport} ("tcp": TCP loopback; anything else: in-JVM) with the configuration of the
     * system properties and a 60 s timeout.
     */
    static RankGroup of(String transport, int p) {
        CommunicatorConfig cfg = CommunicatorConfig.fromSystemProperties().toBuilder()
                .timeout(Duration.ofSeconds(60)).build();
        return transport.equals("tcp") ? tcp(p, cfg) : local(p, cfg);
    }

    /**
     * Makes every rank's operation (with buffers of its own), starts the helper ranks repeating theirs, and returns
     * rank 0's, for the benchmark thread.
     */
    Runnable startEach(Function<Communicator, Runnable> operation) {
        Runnable[] perRank = new Runnable[comms.size()];
        for (int r = 0; r < perRank.length; r++) {
            perRank[r] = operation.apply(comms.get(r));
        }
        start(c -> perRank[c.rank()].run());
        return perRank[0];
    }

    /** Starts the helper ranks, each running {@code body} on its communicator until the group closes. */
    void start(Consumer<Communicator> body) {
        for (int r = 1; r < comms.size(); r++) {
            Communicator c = comms.get(r);
            Thread t = new Thread(() -> {
                try {
                    while (!closed) {
                        body.accept(c);
                    }
                } catch (CollectiveException expectedAtClose) {
                    // the group was aborted
                }
            }, "jmh-rank-" + r);
            t.setDaemon(true);
            t.start();
            helpers.add(t);
        }
    }

    Communicator rank0() {
        return comms.get(0);
    }

    /** Rank {@code r}'s communicator (to prepare its buffers; rank 0's is driven by the benchmark thread). */
    Communicator communicator(int r) {
        return comms.get(r);
    }

    @Override
    public void close() throws InterruptedException {
        closed = true;
        for (Communicator c : comms) {
            ((TransportCommunicator) c).transport().abort(new CollectiveException("benchmark over"));
        }
        for (Thread t : helpers) {
            t.join(10_000);
        }
        for (Communicator c : comms) {
            c.close();
        }
    }
}

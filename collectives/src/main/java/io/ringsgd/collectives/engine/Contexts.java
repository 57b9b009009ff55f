package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.transport.SubgroupTransport;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** New communication contexts: {@code dup} and {@code idup} on the same group, {@code split} into sub-groups. */
final class Contexts {
    private static final Logger log = LoggerFactory.getLogger(Contexts.class);

    private final Core core;
    private final int rank;
    private final int size;

    Contexts(Core core) {
        this.core = core;
        this.rank = core.rank;
        this.size = core.size;
    }

    Communicator dup() {
        Transport made = newContext("dup()");
        log.debug("rank {} made a new context on its {} communicator", rank, core.transport.name());
        return new TransportCommunicator(made, core.config);
    }

    /** The new context is made on the progress thread, in issue order; the request hands out its communicator. */
    Communicator.DupRequest idup() {
        requireContexts("idup()");
        Transport[] made = new Transport[1];
        Request r = core.seq.runLater("idup", seq -> made[0] = connect(seq));
        return new PendingDup(r, made, core.config);
    }

    /** {@code allgather} is the parent's own, so that the colours travel as one of its collectives. */
    Communicator split(int color, int key, Distributions parent) {
        requireContexts("split()");
        int[] all = new int[2 * size];
        parent.allgather(false, ElementBuffer.of(new int[] {color, key}), ElementBuffer.of(all),
                CollectiveOptions.DEFAULT);
        Transport made = newContext("split()");
        if (color < 0) {
            made.close();
            return null;
        }
        int members = 0;
        for (int q = 0; q < size; q++) {
            if (all[2 * q] == color) {
                members++;
            }
        }
        // Insertion order by (key, parent rank): groups are small and this runs once.
        int[] order = new int[members];
        int m = 0;
        for (int q = 0; q < size; q++) {
            if (all[2 * q] != color) {
                continue;
            }
            int i = m++;
            while (i > 0 && all[2 * order[i - 1] + 1] > all[2 * q + 1]) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = q;
        }
        int mine = 0;
        while (order[mine] != rank) {
            mine++;
        }
        log.debug("rank {} is rank {} of {} in split color {}", rank, mine, members, color);
        return new TransportCommunicator(new SubgroupTransport(made, order, mine), core.config);
    }

    private void requireContexts(String what) {
        if (!core.transport.canDup()) {
            throw new UnsupportedOperationException("the " + core.transport.name() + " transport has no"
                    + " communication contexts: " + what + " needs the in-JVM or TCP transport");
        }
    }

    /** This rank's endpoint of a new communication context on the whole group (collective). */
    private Transport newContext(String what) {
        requireContexts(what);
        Transport[] made = new Transport[1];
        core.seq.runBlocking("dup", seq -> made[0] = connect(seq));
        return made[0];
    }

    /** The body of a dup, as collective #seq: rank 0's context id is broadcast over this context. */
    private Transport connect(long seq) {
        long[] value = new long[1];
        ElementBuffer one = ElementBuffer.of(value);
        core.ctx.header().set(CollectiveKind.DUP, seq, ElementType.LONG, 1, null, 0, Algorithm.TREE);
        return core.transport.dup(mine -> {
            value[0] = mine;
            if (size > 1) {
                core.registry.run(CollectiveKind.BROADCAST, Algorithm.TREE, core.ctx, null, one, null, 0);
            }
            return value[0];
        });
    }

    /** An idup in flight: a request whose result is the new communicator, made once on first demand. */
    private static final class PendingDup implements Communicator.DupRequest {
        private final Request request;
        private final Transport[] made;
        private final CommunicatorConfig config;
        private Communicator comm;

        PendingDup(Request request, Transport[] made, CommunicatorConfig config) {
            this.request = request;
            this.made = made;
            this.config = config;
        }

        @Override
        public synchronized Communicator communicator() {
            request.await();
            if (comm == null) {
                comm = new TransportCommunicator(made[0], config);
            }
            return comm;
        }

        @Override
        public void await() {
            request.await();
        }

        @Override
        public boolean await(Duration timeout) {
            return request.await(timeout);
        }

        @Override
        public boolean isDone() {
            return request.isDone();
        }

        @Override
        public CompletableFuture<Void> toCompletableFuture() {
            return request.toCompletableFuture();
        }
    }
}

package io.ringsgd.collectives.local;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.transport.Message;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared state of a group of in-JVM ranks: one FIFO channel per ordered pair of ranks, and the group's failure.
 * A send and a receive meet in their channel; whichever is posted second performs the transfer at once, copying or
 * reducing straight from the sender's buffer into the receiver's, so a message costs one pass over memory and no
 * thread ever waits for a third party to move its data. Thread-safe: its endpoints are driven by different threads.
 */
public final class LocalGroup {
    private static final Logger log = LoggerFactory.getLogger(LocalGroup.class);

    final int size;
    final LocalTransport[] endpoints;
    private final Channel[][] channels;
    private volatile CollectiveException failure;

    private LocalGroup(int size, Duration timeout, long spinNanos) {
        if (size < 1) {
            throw new IllegalArgumentException("a group needs at least 1 rank, got " + size);
        }
        this.size = size;
        this.channels = new Channel[size][size];
        for (int s = 0; s < size; s++) {
            for (int d = 0; d < size; d++) {
                channels[s][d] = new Channel();
            }
        }
        this.endpoints = new LocalTransport[size];
        for (int r = 0; r < size; r++) {
            endpoints[r] = new LocalTransport(this, r, timeout, spinNanos);
        }
    }

    /** {@code size} connected endpoints, one per rank, to be driven by {@code size} threads. */
    public static List<LocalTransport> create(int size, Duration timeout, long spinNanos) {
        return List.of(new LocalGroup(size, timeout, spinNanos).endpoints);
    }

    /** {@code size} connected endpoints with the default spin. */
    public static List<LocalTransport> create(int size, Duration timeout) {
        return create(size, timeout, LocalTransport.DEFAULT_SPIN_NANOS);
    }

    /** Contexts made by {@link #context}, by id; guarded by itself. */
    private final java.util.Map<Long, LocalGroup> contexts = new java.util.HashMap<>();
    private long nextContext;

    /** A fresh context id (rank 0 draws it and hands it to the others). */
    synchronized long newContextId() {
        return ++nextContext;
    }

    /** The group of context {@code id}, made by the first rank that asks for it. */
    LocalGroup context(long id) {
        synchronized (contexts) {
            return contexts.computeIfAbsent(id, k -> new LocalGroup(size, endpoints[0].timeout(),
                    endpoints[0].spinNanos()));
        }
    }

    Channel channel(int src, int dst) {
        return channels[src][dst];
    }

    CollectiveException failure() {
        return failure;
    }

    /** Records the group's first failure and wakes every waiting rank so that each throws it. */
    void fail(CollectiveException e) {
        synchronized (this) {
            if (failure != null) {
                return;
            }
            failure = e;
        }
        log.debug("local group failed: {}", e.getMessage());
        wakeAll();
    }

    void wakeAll() {
        for (LocalTransport t : endpoints) {
            Thread w = t.waitingThread;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
    }

    /** Pending messages of one ordered pair of ranks. */
    static final class Channel {
        final ArrayDeque<Message> sends = new ArrayDeque<>();
        final ArrayDeque<Message> recvs = new ArrayDeque<>();

        /** Messages still queued (for diagnostics). */
        synchronized List<Message> pending() {
            List<Message> all = new ArrayList<>(sends);
            all.addAll(recvs);
            return all;
        }
    }
}

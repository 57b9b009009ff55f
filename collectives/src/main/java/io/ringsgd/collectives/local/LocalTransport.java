package io.ringsgd.collectives.local;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Stalls;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One rank of an in-JVM group ({@link LocalGroup}): messages are handed over by reference and copied or reduced
 * once, directly between the two ranks' buffers. A rank that waits longer than the timeout follows the group's
 * wait-for chain and fails every rank naming the one that never came.
 */
public final class LocalTransport implements Transport {
    /** Spin briefly before parking: a hand-over usually arrives within microseconds. */
    public static final long DEFAULT_SPIN_NANOS = 10_000;
    private static final long PARK_SLICE_NANOS = 50_000_000;

    private final LocalGroup group;
    private final int rank;
    private final Duration timeout;
    private final long timeoutNanos;
    private final long spinNanos;
    volatile int waitingOn = Stalls.NOBODY;
    volatile Thread waitingThread;
    private volatile boolean closed;

    LocalTransport(LocalGroup group, int rank, Duration timeout, long spinNanos) {
        this.group = group;
        this.rank = rank;
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.spinNanos = spinNanos;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return group.size;
    }

    @Override
    public String name() {
        return "local";
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public void post(Message m) {
        checkUsable();
        int peer = m.peer();
        if (peer < 0 || peer >= group.size || peer == rank) {
            throw new IllegalArgumentException("rank " + rank + " cannot message rank " + peer + " in a group of "
                    + group.size);
        }
        Message match;
        if (m.isSend()) {
            LocalGroup.Channel c = group.channel(rank, peer);
            synchronized (c) {
                match = c.recvs.pollFirst();
                if (match == null) {
                    c.sends.addLast(m);
                }
            }
            if (match != null) {
                transfer(m, rank, match, peer);
            }
        } else {
            LocalGroup.Channel c = group.channel(peer, rank);
            synchronized (c) {
                match = c.sends.pollFirst();
                if (match == null) {
                    c.recvs.addLast(m);
                }
            }
            if (match != null) {
                transfer(match, peer, m, rank);
            }
        }
    }

    private void transfer(Message send, int sender, Message recv, int receiver) {
        try {
            Header.check(send.header(), sender, recv.header(), receiver);
            if (send.byteSize() != recv.byteSize() || send.buffer().type() != recv.buffer().type()) {
                throw new CollectiveMismatchException(sender, "rank " + sender + " sent " + send.byteSize()
                        + " bytes of " + send.buffer().type().label() + " in " + send.header() + " but rank "
                        + receiver + " expected " + recv.byteSize() + " bytes of " + recv.buffer().type().label()
                        + ": do all ranks use the same segment size and options?");
            }
            recv.deliver(send.buffer(), send.offset(), 0, send.count());
            recv.notBeforeNanos(send.notBeforeNanos());
            send.complete();
            recv.complete();
        } catch (CollectiveException e) {
            send.fail(e);
            recv.fail(e);
            group.fail(e);
        } catch (RuntimeException e) {
            CollectiveException ce = new CollectiveException("rank " + receiver + " could not take the data of rank "
                    + sender + " in " + recv.header() + ": " + e, e);
            send.fail(ce);
            recv.fail(ce);
            group.fail(ce);
        }
    }

    @Override
    public boolean test(Message m) {
        if (m.isDone()) {
            rethrow(m);
            return true;
        }
        CollectiveException f = group.failure();
        if (f != null) {
            throw f;
        }
        return false;
    }

    @Override
    public void await(Message m) {
        if (m.isDone()) {
            rethrow(m);
            return;
        }
        long start = System.nanoTime();
        // Spin a little, then yield: with more ranks than cores the peer we wait for needs this core.
        for (int i = 0; i < 64 && !m.isDone(); i++) {
            Thread.onSpinWait();
        }
        while (!m.isDone() && System.nanoTime() - start < spinNanos) {
            Thread.yield();
        }
        if (!m.isDone()) {
            block(m, start);
        }
        rethrow(m);
    }

    private void block(Message m, long start) {
        waitingThread = Thread.currentThread();
        waitingOn = m.peer();
        m.registerWaiter();
        try {
            while (!m.isDone()) {
                CollectiveException f = group.failure();
                if (f != null) {
                    throw f;
                }
                LocalTransport peer = group.endpoints[m.peer()];
                if (peer.closed && !m.isDone()) {
                    PeerFailureException e = new PeerFailureException(m.peer(), "rank " + m.peer()
                            + " closed its communicator while rank " + rank + " waited for it in " + m.header());
                    group.fail(e);
                    throw e;
                }
                long waited = System.nanoTime() - start;
                if (waited >= timeoutNanos) {
                    int culprit = Stalls.culprit(m.peer(), r -> r == rank ? m.peer() : group.endpoints[r].waitingOn,
                            group.size);
                    boolean deadlock = group.endpoints[culprit].waitingOn != Stalls.NOBODY;
                    PeerFailureException e = Stalls.stalled(culprit, rank, m.peer(), waited / 1_000_000,
                            m.header(), deadlock);
                    group.fail(e);
                    throw group.failure();
                }
                LockSupport.parkNanos(this, Math.min(PARK_SLICE_NANOS, timeoutNanos - waited));
            }
        } finally {
            waitingOn = Stalls.NOBODY;
            waitingThread = null;
        }
    }

    private static void rethrow(Message m) {
        CollectiveException e = m.error();
        if (e != null) {
            throw e;
        }
    }

    private void checkUsable() {
        CollectiveException f = group.failure();
        if (f != null) {
            throw f;
        }
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s local transport is closed");
        }
    }

    @Override
    public void abort(CollectiveException cause) {
        group.fail(cause);
    }

    @Override
    public CollectiveException failure() {
        return group.failure();
    }

    @Override
    public void close() {
        closed = true;
        group.wakeAll();
    }

    @Override
    public String toString() {
        return "local rank " + rank + "/" + group.size;
    }
}

package io.ringsgd.collectives.local;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Messages;
import io.ringsgd.collectives.transport.Stalls;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * One rank of an in-JVM group ({@link LocalGroup}): messages are handed over by reference and copied or reduced
 * once, directly between the two ranks' buffers. A rank that waits longer than the timeout follows the group's
 * wait-for chain and fails every rank naming the one that never came; a rank that waits on a queue holding a message
 * of its own collective that disagrees with it fails every rank with the mismatch at once. Driven by one thread at a
 * time ({@link Transport}); made by {@link LocalGroup#create}.
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
    /** Whether a thread waits for the running collective (the yielding spin is for them only). */
    private volatile java.util.function.BooleanSupplier urgent = () -> true;
    volatile int waitingOn = Stalls.NOBODY;
    volatile Thread waitingThread;
    private volatile boolean closed;
    /** {@link #await} as an {@link #awaitAny} of one (one thread drives a transport at a time). */
    private final Message[] one = new Message[1];
    /** Payload bytes posted for sending; written by the one thread that drives this endpoint. */
    private volatile long bytesSent;

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

    long spinNanos() {
        return spinNanos;
    }

    @Override
    public boolean canDup() {
        return true;
    }

    /** The endpoint of this rank in a new in-JVM group of the same size, whose id rank 0 draws. */
    @Override
    public Transport dup(java.util.function.LongUnaryOperator fromRankZero) {
        long id = fromRankZero.applyAsLong(rank == 0 ? group.newContextId() : 0);
        return group.context(id).endpoints[rank];
    }

    @Override
    public long bytesSent() {
        return bytesSent;
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
            bytesSent += m.byteSize();
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
            Messages.rethrow(m);
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
            Messages.rethrow(m);
            return;
        }
        one[0] = m;
        awaitAny(one, 1);
    }

    @Override
    public void spinOnlyWhen(java.util.function.BooleanSupplier u) {
        this.urgent = u;
    }

    @Override
    public int awaitAny(Message[] ms, int n) {
        int head = Messages.first(ms, n);
        int done = Messages.firstDone(ms, n);
        if (done < 0) {
            long start = System.nanoTime();
            // Spin a little, then yield: with more ranks than cores the peer we wait for needs this core.
            for (int i = 0; i < 64 && done < 0; i++) {
                Thread.onSpinWait();
                done = Messages.firstDone(ms, n);
            }
            long spin = urgent.getAsBoolean() ? spinNanos : 0;
            while (done < 0 && System.nanoTime() - start < spin) {
                Thread.yield();
                done = Messages.firstDone(ms, n);
            }
            if (done < 0) {
                done = block(ms, n, ms[head], start);
            }
        }
        Messages.rethrow(ms[done]);
        return done;
    }

    /**
     * Parks until one of the messages completes. Each wake-up (at least every park slice) checks the group's failure,
     * a peer that left, the queues for messages of this collective that disagree with it (ranks that called
     * different collectives never match each other's messages, so they would otherwise wait for the timeout), and
     * the timeout, after which the wait-for chain names the rank that never came.
     */
    private int block(Message[] ms, int n, Message head, long start) {
        waitingThread = Thread.currentThread();
        waitingOn = head.peer();
        for (int i = 0; i < n; i++) {
            if (ms[i] != null) {
                ms[i].registerWaiter();
            }
        }
        try {
            while (true) {
                int done = Messages.firstDone(ms, n);
                if (done >= 0) {
                    return done;
                }
                CollectiveException f = group.failure();
                if (f != null) {
                    throw f;
                }
                for (int i = 0; i < n; i++) {
                    Message m = ms[i];
                    if (m != null && group.endpoints[m.peer()].closed && !m.isDone()) {
                        PeerFailureException e = new PeerFailureException(m.peer(), "rank " + m.peer()
                                + " closed its communicator while rank " + rank + " waited for it in " + m.header());
                        group.fail(e);
                        throw e;
                    }
                }
                checkQueues(head.header());
                long waited = System.nanoTime() - start;
                if (waited >= timeoutNanos) {
                    int culprit = Stalls.culprit(head.peer(),
                            r -> r == rank ? head.peer() : group.endpoints[r].waitingOn, group.size);
                    boolean deadlock = group.endpoints[culprit].waitingOn != Stalls.NOBODY;
                    PeerFailureException e = Stalls.stalled(culprit, rank, head.peer(), waited / 1_000_000,
                            head.header(), deadlock);
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

    /**
     * Fails the group if a message queued between this rank and a peer belongs to this rank's collective
     * {@code mine} (or an earlier one) but disagrees with it: a send the peer made to this rank, or a receive the peer
     * posted for data from this rank. Messages of later collectives are a peer running ahead, which is fine.
     */
    private void checkQueues(Header mine) {
        for (int peer = 0; peer < group.size; peer++) {
            if (peer == rank) {
                continue;
            }
            LocalGroup.Channel in = group.channel(peer, rank);
            synchronized (in) {
                Message s = in.sends.peekFirst();
                if (s != null && disagrees(s.header(), mine)) {
                    throw mismatch(s.header(), peer, mine, rank);
                }
            }
            LocalGroup.Channel out = group.channel(rank, peer);
            synchronized (out) {
                Message r = out.recvs.peekFirst();
                if (r != null && disagrees(r.header(), mine)) {
                    throw mismatch(mine, rank, r.header(), peer);
                }
            }
        }
    }

    private static boolean disagrees(Header theirs, Header mine) {
        return theirs.seq() < mine.seq() || (theirs.seq() == mine.seq() && !theirs.sameCollective(mine));
    }

    private CollectiveException mismatch(Header sent, int sender, Header expected, int receiver) {
        group.fail(new CollectiveMismatchException(sender, Header.mismatch(sent, sender, expected, receiver)));
        return group.failure();
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

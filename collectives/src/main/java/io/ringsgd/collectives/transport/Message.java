package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import java.util.concurrent.locks.LockSupport;

/**
 * One point-to-point send or receive: a reusable, mutable request, owned by the algorithm that posts it, so that no
 * object is allocated per message. A receive either overwrites its elements or reduces the incoming elements into
 * them ({@link #recvReduce}), which lets a transport fuse "receive then reduce" without a scratch copy.
 *
 * <p>A message carries no transport state: each transport keeps what it needs about a message in flight in its own
 * private, typed structures (its per-peer queues), and completes it with {@link #complete} or {@link #fail}. A
 * message may be reused once it has completed; it must not be reset while a transport still holds it.
 *
 * <p>Not thread-safe, except for completion: a transport may complete a message on another thread (the in-JVM
 * transport completes a receive on the sending rank's thread), which wakes the thread registered as its waiter.
 */
public final class Message {
    private int peer;
    private boolean send;
    private Header header;
    private ElementBuffer buffer;
    private int offset;
    private int count;
    private ReduceOp reduceOp;
    private boolean incomingFirst;
    private ElementBuffer local;
    private int localOffset;
    private long notBeforeNanos;

    // ---- completion
    private volatile boolean done;
    private volatile Thread waiter;
    private volatile CollectiveException error;

    /** Makes this a send of {@code count} elements of {@code buffer} from {@code offset} to {@code peer}. */
    public Message send(int peer, Header header, ElementBuffer buffer, int offset, int count) {
        return reset(peer, true, header, buffer, offset, count, null, false);
    }

    /** Makes this a receive from {@code peer} that overwrites {@code count} elements of {@code buffer}. */
    public Message recv(int peer, Header header, ElementBuffer buffer, int offset, int count) {
        return reset(peer, false, header, buffer, offset, count, null, false);
    }

    /**
     * Makes this a receive from {@code peer} whose elements are reduced into {@code buffer}:
     * {@code buf = incomingFirst ? op(incoming, buf) : op(buf, incoming)}.
     */
    public Message recvReduce(int peer, Header header, ElementBuffer buffer, int offset, int count, ReduceOp op,
            boolean incomingFirst) {
        return reset(peer, false, header, buffer, offset, count, op, incomingFirst);
    }

    /**
     * Makes this a receive whose elements are combined with {@code count} elements of {@code local} from
     * {@code localOffset} into {@code buffer}: {@code buf = op(incoming, local)}. {@code local} is only read.
     */
    public Message recvCombine(int peer, Header header, ElementBuffer buffer, int offset, int count, ReduceOp op,
            ElementBuffer local, int localOffset) {
        reset(peer, false, header, buffer, offset, count, op, true);
        this.local = local;
        this.localOffset = localOffset;
        return this;
    }

    /**
     * Points this message, not yet posted, at {@code peer} instead, keeping everything else: how a transport that
     * numbers a sub-group's ranks its own way hands the message on in its parent's numbering.
     */
    public Message retarget(int peer) {
        this.peer = peer;
        return this;
    }

    private Message reset(int peer, boolean send, Header header, ElementBuffer buffer, int offset, int count,
            ReduceOp op, boolean incomingFirst) {
        if (offset < 0 || count < 0 || offset + count > buffer.count()) {
            throw new IllegalArgumentException("message of " + count + " elements at " + offset + " outside "
                    + buffer);
        }
        this.peer = peer;
        this.send = send;
        this.header = header;
        this.buffer = buffer;
        this.offset = offset;
        this.count = count;
        this.reduceOp = op;
        this.incomingFirst = incomingFirst;
        this.local = null;
        this.notBeforeNanos = 0;
        this.done = false;
        this.error = null;
        this.waiter = null;
        return this;
    }

    /** The rank this message goes to or comes from. */
    public int peer() {
        return peer;
    }

    /** True for a send, false for a receive. */
    public boolean isSend() {
        return send;
    }

    /** The header the message carries (a send) or expects (a receive). */
    public Header header() {
        return header;
    }

    /** The elements sent from, or received (or reduced) into. */
    public ElementBuffer buffer() {
        return buffer;
    }

    /** First element of the message within {@link #buffer()}. */
    public int offset() {
        return offset;
    }

    /** Number of elements. */
    public int count() {
        return count;
    }

    /** Payload size in bytes. */
    public long byteSize() {
        return (long) count * buffer.type().bytes();
    }

    /** The reduction of a receive, or null for a plain receive. */
    public ReduceOp reduceOp() {
        return reduceOp;
    }

    /** For a reducing receive: whether the incoming operand comes first ({@code op(incoming, buf)}). */
    public boolean incomingFirst() {
        return incomingFirst;
    }

    /**
     * Earliest {@link System#nanoTime()} at which the message may be seen as delivered (set by the emulated link on
     * sends, carried to the matching receive by the transport; 0 = no constraint).
     */
    public long notBeforeNanos() {
        return notBeforeNanos;
    }

    /** Sets {@link #notBeforeNanos()}. */
    public void notBeforeNanos(long t) {
        this.notBeforeNanos = t;
    }

    /**
     * Delivers {@code n} elements of {@code src} from {@code srcOffset} into this receive at element {@code at}
     * (relative to the message), overwriting or reducing as the receive asks.
     */
    public void deliver(ElementBuffer src, int srcOffset, int at, int n) {
        if (reduceOp == null) {
            src.copyTo(srcOffset, buffer, offset + at, n);
        } else if (local != null) {
            src.combineInto(srcOffset, local, localOffset + at, buffer, offset + at, n, reduceOp);
        } else {
            src.reduceInto(srcOffset, buffer, offset + at, n, reduceOp, incomingFirst);
        }
    }

    // ---------------------------------------------------------------- completion, for transports

    /** True once a transport completed the message, successfully or with {@link #error()}. */
    public boolean isDone() {
        return done;
    }

    /** The failure that ended this message, if any. */
    public CollectiveException error() {
        return error;
    }

    /** Marks the message complete and wakes its waiter. */
    public void complete() {
        done = true;
        Thread w = waiter;
        if (w != null) {
            LockSupport.unpark(w);
        }
    }

    /** Marks the message failed and wakes its waiter. */
    public void fail(CollectiveException e) {
        error = e;
        complete();
    }

    /** Registers the current thread to be unparked by {@link #complete}; call before re-checking {@link #isDone}. */
    public void registerWaiter() {
        waiter = Thread.currentThread();
    }

    @Override
    public String toString() {
        return (send ? "send to " : "recv from ") + peer + ": " + count + " elements of " + header;
    }
}

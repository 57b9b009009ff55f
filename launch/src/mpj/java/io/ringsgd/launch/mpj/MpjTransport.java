package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Messages;
import io.ringsgd.collectives.transport.NativeCollectives;
import io.ringsgd.collectives.transport.StallBoard;
import io.ringsgd.collectives.transport.Transport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import mpi.Intracomm;
import mpi.MPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ringsgd's transport over MPJ Express point-to-point ({@code Isend}/{@code Irecv} of bytes on
 * {@code MPI.COMM_WORLD}), so that ringsgd's own algorithms run in jobs started by {@code mpjrun}, in multicore
 * (smpdev) and cluster (niodev) mode. Each message is one MPI message of a 48-byte frame header (the collective's
 * header, size and emulation stamp) followed by the payload; MPI's pairwise non-overtaking order gives the FIFO
 * matching the algorithms rely on.
 *
 * <p>Failure: MPJ Express reports nothing when a peer dies, and its niodev then blocks sends to it and those queued
 * behind them. So control messages (abort, stall report) travel outside MPJ, on an authenticated UDP side channel
 * ({@link UdpControlChannel}). A wait that sees no completion for the timeout reports a stall to every rank, collects
 * the others' reports for a grace period and names the rank at the end of the wait-for chain, as the TCP transport
 * does.
 */
public final class MpjTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(MpjTransport.class);
    static final int DATA_TAG = 7311;
    static final int FRAME_HEADER = 48;
    private static final int MAGIC = 0x4d475352; // "RSGM"
    private static final int CONTROL_BYTES = 4096;
    private static final byte ABORT = 1;
    private static final byte STALL = 2;
    private static final long CONTROL_POLL_NANOS = 250_000;

    private final Intracomm comm;
    private final int rank;
    private final int size;
    private final Duration timeout;
    private final long timeoutNanos;
    private final long spinNanos;
    /** Whether a thread waits for the running collective (the yielding spin is for them only). */
    private volatile java.util.function.BooleanSupplier urgent = () -> true;
    private final long graceNanos;
    private final MpjNativeCollectives natives;
    private final ArrayDeque<Frame> pool = new ArrayDeque<>();
    /** Messages posted and not yet completed, each with its frame ({@code inFlight[0..inFlightCount)}). */
    private Frame[] inFlight = new Frame[16];
    private int inFlightCount;
    /** Receives posted and not yet completed, per peer: a peer with none may be probed for early frames. */
    private final int[] recvsPosted;
    /** A frame received from each peer before a receive was posted for it (checked by {@link #checkEarly}), or null. */
    private final Frame[] early;
    private long lastEarlyCheck;
    private final byte[] controlIn = new byte[CONTROL_BYTES];
    private final UdpControlChannel control;
    private byte[] lastReport;
    private long lastControlPoll;
    private final StallBoard stalls;
    private volatile CollectiveException failure;
    private volatile boolean closed;
    /** {@link #await} as an {@link #awaitAny} of one (one thread drives a transport at a time). */
    private final Message[] one = new Message[1];

    /** A reusable wire buffer with its typed views, and the message travelling in it. */
    private static final class Frame {
        final byte[] bytes;
        final ByteBuffer buffer;
        /** {@link #buffer} seen as elements of each type, by ordinal. */
        final ElementBuffer[] views = new ElementBuffer[ElementType.values().length];
        /** The MPJ request moving it; null for a frame received before its receive was posted. */
        mpi.Request request;
        Message message;
        final Header header = new Header();

        Frame(int capacity) {
            bytes = new byte[capacity];
            buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (ElementType t : ElementType.values()) {
                views[t.ordinal()] = ElementBuffer.ofBytes(buffer, t, 0, capacity / t.bytes());
            }
        }

        ElementBuffer view(ElementType t) {
            return views[t.ordinal()];
        }
    }

    public MpjTransport(Intracomm comm, Duration timeout, Duration spin) {
        this.comm = comm;
        this.rank = comm.Rank();
        this.size = comm.Size();
        this.timeout = timeout;
        this.timeoutNanos = timeout.toNanos();
        this.spinNanos = spin.toNanos();
        this.graceNanos = Math.max(1_000_000_000L, Math.min(5_000_000_000L, timeoutNanos / 5));
        this.natives = new MpjNativeCollectives(comm);
        this.stalls = new StallBoard(rank, size);
        this.control = size > 1 ? UdpControlChannel.open(comm) : null;
        this.recvsPosted = new int[size];
        this.early = new Frame[size];
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String name() {
        return "mpj";
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    @Override
    public NativeCollectives nativeCollectives() {
        return natives;
    }

    // ------------------------------------------------------------------------------------------- messages

    @Override
    public synchronized void post(Message m) {
        checkFailure();
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s MPJ transport is closed");
        }
        int peer = m.peer();
        if (peer < 0 || peer >= size || peer == rank) {
            throw new IllegalArgumentException("rank " + rank + " cannot message rank " + peer + " in a group of "
                    + size);
        }
        if (m.byteSize() > Integer.MAX_VALUE - FRAME_HEADER - 8) {
            throw new IllegalArgumentException("a message of " + m.byteSize() + " bytes is too large for MPJ");
        }
        int len = FRAME_HEADER + (int) m.byteSize();
        Frame f;
        if (!m.isSend() && early[peer] != null) {
            // Its frame came before the receive: MPI's pairwise order makes it this receive's.
            f = early[peer];
            early[peer] = null;
        } else {
            f = take(len);
            try {
                if (m.isSend()) {
                    ByteBuffer b = f.buffer;
                    b.clear();
                    b.putInt(MAGIC).putInt((int) m.byteSize()).putLong(m.notBeforeNanos());
                    m.header().write(b);
                    int elem = m.buffer().type().bytes();
                    m.buffer().copyTo(m.offset(), f.view(m.buffer().type()), FRAME_HEADER / elem, m.count());
                    f.request = comm.Isend(f.bytes, 0, len, MPI.BYTE, peer, DATA_TAG);
                } else {
                    f.request = comm.Irecv(f.bytes, 0, len, MPI.BYTE, peer, DATA_TAG);
                    recvsPosted[peer]++;
                }
            } catch (RuntimeException e) {
                pool.addLast(f);
                throw mpjFailed(m, e);
            }
        }
        f.message = m;
        if (inFlightCount == inFlight.length) {
            inFlight = java.util.Arrays.copyOf(inFlight, 2 * inFlightCount);
        }
        inFlight[inFlightCount++] = f;
    }

    private Frame take(int len) {
        for (int i = 0, n = pool.size(); i < n; i++) {
            Frame f = pool.pollFirst();
            if (f.bytes.length >= len) {
                return f;
            }
            pool.addLast(f);
        }
        // Round up so that segments of one size share frames.
        return new Frame(Math.max(64, Integer.highestOneBit(len - 1) << 1));
    }

    @Override
    public synchronized boolean test(Message m) {
        if (m.isDone()) {
            Messages.rethrow(m);
            return true;
        }
        checkFailure();
        long now = System.nanoTime();
        if (now - lastControlPoll > CONTROL_POLL_NANOS) {
            // A receive on the side channel is a system call: check it a few thousand times a second, not per test.
            lastControlPoll = now;
            pollControl();
        }
        int at = indexOf(m);
        Frame f = inFlight[at];
        if (f.request != null) {
            mpi.Status st;
            try {
                st = f.request.Test();
            } catch (RuntimeException e) {
                throw mpjFailed(m, e);
            }
            if (st == null) {
                return false;
            }
        }
        inFlight[at] = inFlight[--inFlightCount];
        inFlight[inFlightCount] = null;
        if (!m.isSend()) {
            if (f.request != null) {
                recvsPosted[m.peer()]--;
            }
            deliver(m, f);
        }
        f.request = null;
        f.message = null;
        pool.addLast(f);
        m.complete();
        return true;
    }

    private int indexOf(Message m) {
        for (int i = 0; i < inFlightCount; i++) {
            if (inFlight[i].message == m) {
                return i;
            }
        }
        throw new IllegalStateException("rank " + rank + " tested a message it never posted: " + m);
    }

    private void deliver(Message m, Frame f) {
        ByteBuffer b = f.buffer;
        if (b.getInt(0) != MAGIC || f.header.read(b, 16) == null) {
            throw fail(new PeerFailureException(m.peer(), "rank " + m.peer() + " sent a malformed message to rank "
                    + rank));
        }
        try {
            Header.check(f.header, m.peer(), m.header(), rank);
        } catch (CollectiveMismatchException e) {
            throw fail(e);
        }
        int payload = b.getInt(4);
        if (payload != m.byteSize()) {
            throw fail(new CollectiveMismatchException(m.peer(), "rank " + m.peer() + " sent " + payload
                    + " bytes in " + f.header + " but rank " + rank + " expected " + m.byteSize()));
        }
        m.notBeforeNanos(b.getLong(8));
        int elem = m.buffer().type().bytes();
        m.deliver(f.view(m.buffer().type()), FRAME_HEADER / elem, 0, m.count());
    }

    /**
     * Receives, from each peer with no receive posted, a frame that has already arrived, and fails every rank if it
     * belongs to this rank's collective {@code mine} (or an earlier one) but disagrees with it: ranks that called
     * different collectives may never post the receives that would meet each other's frames. A frame of a later
     * collective (a peer running ahead) is kept for the receive that will take it.
     */
    private void checkEarly(Header mine) {
        for (int peer = 0; peer < size; peer++) {
            if (peer == rank) {
                continue;
            }
            if (early[peer] == null && recvsPosted[peer] == 0) {
                mpi.Status st = comm.Iprobe(peer, DATA_TAG);
                if (st != null) {
                    int len = st.Get_count(MPI.BYTE);
                    Frame f = take(Math.max(len, FRAME_HEADER));
                    comm.Recv(f.bytes, 0, len, MPI.BYTE, peer, DATA_TAG);
                    f.request = null;
                    early[peer] = f;
                    if (len < FRAME_HEADER || f.buffer.getInt(0) != MAGIC || f.header.read(f.buffer, 16) == null) {
                        throw fail(new PeerFailureException(peer, "rank " + peer + " sent a malformed message to"
                                + " rank " + rank));
                    }
                }
            }
            Frame f = early[peer];
            if (f != null && (f.header.seq() < mine.seq()
                    || (f.header.seq() == mine.seq() && !f.header.sameCollective(mine)))) {
                throw fail(new CollectiveMismatchException(peer, Header.mismatch(f.header, peer, mine, rank)));
            }
        }
    }

    @Override
    public void spinOnlyWhen(java.util.function.BooleanSupplier u) {
        this.urgent = u;
    }

    @Override
    public void await(Message m) {
        one[0] = m;
        awaitAny(one, 1);
    }

    @Override
    public int awaitAny(Message[] ms, int n) {
        Message head = ms[Messages.first(ms, n)];
        int done = testAny(ms, n);
        if (done >= 0) {
            return done;
        }
        long start = System.nanoTime();
        long pause = 1_000;
        stalls.waiting(head.peer(), head.header());
        try {
            while ((done = testAny(ms, n)) < 0) {
                long now = System.nanoTime();
                long waited = now - start;
                if (waited >= timeoutNanos) {
                    done = stalled(ms, n, head, waited);
                    if (done >= 0) {
                        return done;
                    }
                    start = System.nanoTime();
                    continue;
                }
                if (waited < spinNanos && urgent.getAsBoolean()) {
                    Thread.yield();
                } else {
                    if (now - lastEarlyCheck > CONTROL_POLL_NANOS) {
                        lastEarlyCheck = now;
                        synchronized (this) {
                            checkEarly(head.header());
                        }
                    }
                    // MPJ Express has no blocking wait with a timeout: poll with a growing pause.
                    LockSupport.parkNanos(pause);
                    pause = Math.min(pause * 2, 100_000);
                }
            }
            return done;
        } finally {
            stalls.done();
        }
    }

    private int testAny(Message[] ms, int n) {
        for (int i = 0; i < n; i++) {
            if (ms[i] != null && test(ms[i])) {
                return i;
            }
        }
        return -1;
    }

    // ------------------------------------------------------------------------------------------- control

    private void pollControl() {
        if (control == null) {
            return;
        }
        int len;
        while ((len = control.receive(controlIn)) >= 0) {
            handleControl(control.lastFrom(), len);
        }
    }

    private void handleControl(int from, int len) {
        ByteBuffer b = ByteBuffer.wrap(controlIn).order(ByteOrder.LITTLE_ENDIAN);
        byte type = b.get(0);
        if (type == STALL && len >= 17) {
            stalls.heard(b.getInt(1), b.getInt(5), b.getLong(9), len >= 1 + StallBoard.REPORT_BYTES ? b : null, 17);
            if (stalls.shouldReport(false)) {
                reportStall();
            }
        } else if (type == ABORT) {
            byte kind = b.get(1);
            int culprit = b.getInt(2);
            int textLen = Math.min(b.getShort(6) & 0xffff, CONTROL_BYTES - 8);
            String msg = new String(controlIn, 8, textLen, StandardCharsets.UTF_8);
            log.debug("rank {} received an abort from rank {}: {}", rank, from, msg);
            setFailure(kind == 1 ? new PeerFailureException(culprit, msg)
                    : kind == 2 ? new CollectiveMismatchException(culprit, msg) : new CollectiveException(msg));
        }
    }

    private void broadcastControl(byte[] frame, int len) {
        if (control != null) {
            control.broadcast(frame, len);
        }
    }

    /**
     * No progress for the timeout: report the stall, give the other ranks a grace period to report theirs (two if
     * the awaited peer has not reported) and fail naming the end of the wait-for chain, or the disagreement if the
     * reports show ranks waiting in different collectives. Returns the index of a message that completed meanwhile.
     */
    private synchronized int stalled(Message[] ms, int n, Message head, long waited) {
        if (stalls.shouldReport(true)) {
            reportStall();
        }
        long total = waited + graceNanos;
        int done = graceWait(ms, n, graceNanos);
        if (done >= 0) {
            return done;
        }
        if (stalls.suspectsOnly(head.peer())) {
            // No report from the peer yet: if it is alive it will report or abort soon; wait once more.
            total += graceNanos;
            done = graceWait(ms, n, graceNanos);
            if (done >= 0) {
                return done;
            }
        }
        checkFailure();
        throw fail(stalls.verdict(head.peer(), head.header(), total / 1_000_000));
    }

    private int graceWait(Message[] ms, int n, long nanos) {
        long end = System.nanoTime() + nanos;
        long resend = System.nanoTime();
        while (System.nanoTime() < end) {
            int done = testAny(ms, n);
            if (done >= 0) {
                return done;
            }
            if (lastReport != null && System.nanoTime() - resend > 200_000_000L) {
                // Datagrams may be lost: repeat this rank's report while the verdict is pending.
                broadcastControl(lastReport, lastReport.length);
                resend = System.nanoTime();
            }
            LockSupport.parkNanos(1_000_000);
        }
        return -1;
    }

    /**
     * MPJ Express threw while moving {@code m}. After a process dies, niodev closes connections to live ranks too,
     * so the exception does not say who died: report the failed wait like a stall, gather the other ranks' reports
     * and name the end of the wait-for chain.
     */
    private CollectiveException mpjFailed(Message m, RuntimeException e) {
        CollectiveException known = failure;
        if (known != null) {
            return known;
        }
        log.debug("rank {}: MPJ Express failed on a message with rank {}: {}", rank, m.peer(), e.toString());
        stalls.waiting(m.peer(), m.header());
        if (stalls.shouldReport(true)) {
            reportStall();
        }
        controlGrace();
        if (failure == null && stalls.suspectsOnly(m.peer())) {
            controlGrace();
        }
        if (failure != null) {
            return failure;
        }
        CollectiveException v = stalls.verdict(m.peer(), m.header(), 2 * graceNanos / 1_000_000);
        if (!(v instanceof PeerFailureException)) {
            return fail(v);
        }
        return fail(new PeerFailureException(((PeerFailureException) v).rank(), v.getMessage() + " (MPJ Express on"
                + " rank " + rank + ": " + e + ")", e));
    }

    /** Waits a grace period for control messages only (the data path has failed). */
    private void controlGrace() {
        long end = System.nanoTime() + graceNanos;
        long resend = System.nanoTime();
        while (System.nanoTime() < end && failure == null) {
            pollControl();
            if (lastReport != null && System.nanoTime() - resend > 200_000_000L) {
                broadcastControl(lastReport, lastReport.length);
                resend = System.nanoTime();
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    private void reportStall() {
        byte[] frame = new byte[1 + StallBoard.REPORT_BYTES];
        stalls.writeReport(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).put(STALL));
        lastReport = frame;
        broadcastControl(frame, frame.length);
    }

    // ------------------------------------------------------------------------------------------- failure

    private void checkFailure() {
        CollectiveException f = failure;
        if (f != null) {
            throw f;
        }
    }

    private synchronized boolean setFailure(CollectiveException e) {
        if (failure != null) {
            return false;
        }
        failure = e;
        return true;
    }

    private CollectiveException fail(CollectiveException e) {
        abort(e);
        return failure;
    }

    @Override
    public synchronized void abort(CollectiveException cause) {
        if (!setFailure(cause)) {
            return;
        }
        byte kind = cause instanceof PeerFailureException ? (byte) 1
                : cause instanceof CollectiveMismatchException ? (byte) 2 : (byte) 0;
        int culprit = cause instanceof PeerFailureException ? ((PeerFailureException) cause).rank()
                : cause instanceof CollectiveMismatchException ? ((CollectiveMismatchException) cause).rank() : rank;
        byte[] text = String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, CONTROL_BYTES - 8);
        byte[] frame = new byte[8 + len];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).put(ABORT).put(kind).putInt(culprit)
                .putShort((short) len).put(text, 0, len);
        broadcastControl(frame, frame.length);
        broadcastControl(frame, frame.length);
    }

    @Override
    public CollectiveException failure() {
        return failure;
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (control != null) {
            control.close();
        }
    }

    @Override
    public String toString() {
        return "mpj rank " + rank + "/" + size;
    }
}

package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
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
    private final long graceNanos;
    private final MpjNativeCollectives natives;
    private final ArrayDeque<Frame> pool = new ArrayDeque<>();
    private final byte[] controlIn = new byte[CONTROL_BYTES];
    private final UdpControlChannel control;
    private byte[] lastReport;
    private long lastControlPoll;
    private final StallBoard stalls;
    private volatile CollectiveException failure;
    private volatile boolean closed;

    /** A reusable wire buffer with its typed views. */
    private static final class Frame {
        final byte[] bytes;
        final ByteBuffer buffer;
        final ElementBuffer floats;
        final ElementBuffer doubles;
        final ElementBuffer raw;
        mpi.Request request;
        final Header header = new Header();

        Frame(int capacity) {
            bytes = new byte[capacity];
            buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            floats = ElementBuffer.ofBytes(buffer, ElementType.FLOAT, 0, capacity / 4);
            doubles = ElementBuffer.ofBytes(buffer, ElementType.DOUBLE, 0, capacity / 8);
            raw = ElementBuffer.ofBytes(buffer, ElementType.BYTE, 0, capacity);
        }

        ElementBuffer view(ElementType t) {
            return t == ElementType.FLOAT ? floats : t == ElementType.DOUBLE ? doubles : raw;
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
        Frame f = take(len);
        m.attachment = f;
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
            }
        } catch (RuntimeException e) {
            throw mpjFailed(m, e);
        }
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
            rethrow(m);
            return true;
        }
        checkFailure();
        long now = System.nanoTime();
        if (now - lastControlPoll > CONTROL_POLL_NANOS) {
            // A receive on the side channel is a system call: check it a few thousand times a second, not per test.
            lastControlPoll = now;
            pollControl();
        }
        Frame f = (Frame) m.attachment;
        mpi.Status st;
        try {
            st = f.request.Test();
        } catch (RuntimeException e) {
            throw mpjFailed(m, e);
        }
        if (st == null) {
            return false;
        }
        if (!m.isSend()) {
            deliver(m, f);
        }
        f.request = null;
        m.attachment = null;
        pool.addLast(f);
        m.complete();
        return true;
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

    @Override
    public void await(Message m) {
        if (test(m)) {
            return;
        }
        long start = System.nanoTime();
        long pause = 1_000;
        stalls.waiting(m.peer(), m.header().seq());
        try {
            while (!test(m)) {
                long waited = System.nanoTime() - start;
                if (waited >= timeoutNanos) {
                    stalled(m, waited);
                    start = System.nanoTime();
                    continue;
                }
                if (waited < spinNanos) {
                    Thread.yield();
                } else {
                    // MPJ Express has no blocking wait with a timeout: poll with a growing pause.
                    LockSupport.parkNanos(pause);
                    pause = Math.min(pause * 2, 100_000);
                }
            }
        } finally {
            stalls.done();
        }
    }

    private static void rethrow(Message m) {
        if (m.error() != null) {
            throw m.error();
        }
    }

    // ------------------------------------------------------------------------------------------- control

    private void pollControl() {
        if (control == null) {
            return;
        }
        while (control.receive(controlIn) >= 0) {
            handleControl(control.lastFrom());
        }
    }

    private void handleControl(int from) {
        ByteBuffer b = ByteBuffer.wrap(controlIn).order(ByteOrder.LITTLE_ENDIAN);
        byte type = b.get(0);
        if (type == STALL) {
            stalls.heard(b.getInt(1), b.getInt(5), b.getLong(9));
            if (stalls.shouldReport(false)) {
                reportStall();
            }
        } else if (type == ABORT) {
            byte kind = b.get(1);
            int culprit = b.getInt(2);
            int len = Math.min(b.getShort(6) & 0xffff, CONTROL_BYTES - 8);
            String msg = new String(controlIn, 8, len, StandardCharsets.UTF_8);
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

    private synchronized void stalled(Message m, long waited) {
        if (stalls.shouldReport(true)) {
            reportStall();
        }
        long total = waited + graceNanos;
        if (graceWait(m, graceNanos)) {
            return;
        }
        if (stalls.suspectsOnly(m.peer())) {
            // No report from the peer yet: if it is alive it will report or abort soon; wait once more.
            total += graceNanos;
            if (graceWait(m, graceNanos)) {
                return;
            }
        }
        checkFailure();
        throw fail(stalls.verdict(m.peer(), m.header(), total / 1_000_000));
    }

    private boolean graceWait(Message m, long nanos) {
        long end = System.nanoTime() + nanos;
        long resend = System.nanoTime();
        while (System.nanoTime() < end) {
            if (test(m)) {
                return true;
            }
            if (lastReport != null && System.nanoTime() - resend > 200_000_000L) {
                // Datagrams may be lost: repeat this rank's report while the verdict is pending.
                broadcastControl(lastReport, lastReport.length);
                resend = System.nanoTime();
            }
            LockSupport.parkNanos(1_000_000);
        }
        return false;
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
        stalls.waiting(m.peer(), m.header().seq());
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
        PeerFailureException v = stalls.verdict(m.peer(), m.header(), 2 * graceNanos / 1_000_000);
        return fail(new PeerFailureException(v.rank(), v.getMessage() + " (MPJ Express on rank " + rank + ": " + e
                + ")", e));
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
        byte[] frame = new byte[17];
        ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).put(STALL).putInt(rank).putInt(stalls.ownWaitsOn())
                .putLong(stalls.ownSeq());
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

package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.StallBoard;
import io.ringsgd.collectives.transport.Transport;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP transport: one persistent data connection and one control connection per pair of ranks, non-blocking NIO,
 * direct staging buffers. There is no I/O thread: the thread that waits drives the sockets (MPICH's progress-engine
 * model), so a message costs one wake-up, and a rank computing between collectives leaves unread data to TCP's own
 * flow control.
 *
 * <p>Data frames carry the collective's header; a receive whose header or size disagrees fails with a
 * {@link CollectiveMismatchException}. The control connections are always read while waiting, so an abort from any
 * rank reaches every rank even when its data connections are stalled behind unread frames. A wait that sees no
 * progress from the awaited peer for the timeout sends a stall report to everyone, collects the others' reports for a
 * short grace period, follows the wait-for chain to the rank that waits on nobody, and fails every rank naming it.
 */
public final class TcpTransport implements Transport {
    private static final Logger log = LoggerFactory.getLogger(TcpTransport.class);
    private static final long SELECT_SLICE_MS = 100;
    /**
     * Longest adaptive spin: while recent waits have been short (a latency-bound exchange), a wait polls the sockets
     * and yields for up to twice their running mean before sleeping in the selector, saving the wake-up; waits longer
     * than this (a slow peer, a long transfer) spin only for the configured minimum and leave the core to others.
     */
    private static final long MAX_ADAPTIVE_SPIN_NANOS = Long.getLong("ringsgd.spin.max.nanos", 1_000_000);
    /** Payloads at least this large move between the socket and a ByteBuffer-backed message without staging. */
    private static final long DIRECT_THRESHOLD = 32 << 10;

    private final int rank;
    private final int size;
    private final TcpPeer[] peers;
    private final Selector selector;
    private final Duration timeout;
    private final long timeoutNanos;
    private final long spinNanos;
    private final long graceNanos;
    private final StallBoard stalls;
    private final ByteBuffer controlOut = ByteBuffer.allocate(Frames.CONTROL_HEADER_BYTES + Frames.MAX_CONTROL_BODY)
            .order(ByteOrder.LITTLE_ENDIAN);
    private volatile CollectiveException failure;
    private volatile boolean closed;
    /** Running mean of how long waits took (for the adaptive spin). */
    private long meanWaitNanos = 100_000;

    TcpTransport(int rank, int size, SocketChannel[] data, SocketChannel[] control, CommunicatorConfig config)
            throws IOException {
        this.rank = rank;
        this.size = size;
        this.timeout = config.timeout();
        this.timeoutNanos = timeout.toNanos();
        this.spinNanos = config.spin().toNanos();
        this.graceNanos = Math.max(1_000_000_000L, Math.min(5_000_000_000L, timeoutNanos / 5));
        this.stalls = new StallBoard(rank, size);
        this.selector = Selector.open();
        this.peers = new TcpPeer[size];
        for (int j = 0; j < size; j++) {
            if (j == rank) {
                continue;
            }
            TcpPeer p = new TcpPeer(j, data[j], control[j]);
            data[j].configureBlocking(false);
            control[j].configureBlocking(false);
            p.dataKey = data[j].register(selector, 0, p);
            p.controlKey = control[j].register(selector, SelectionKey.OP_READ, p);
            peers[j] = p;
        }
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
        return "tcp";
    }

    @Override
    public Duration timeout() {
        return timeout;
    }

    // ------------------------------------------------------------------------------------------- posting

    @Override
    public void post(Message m) {
        checkFailure();
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s TCP transport is closed");
        }
        TcpPeer p = peer(m.peer());
        if (m.byteSize() > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a message of " + m.byteSize() + " bytes is too large for one frame");
        }
        try {
            if (m.isSend()) {
                p.sends.addLast(m);
                if (p.sends.size() == 1) {
                    flush(p);
                }
            } else {
                p.recvs.addLast(m);
                if (p.recvs.size() == 1) {
                    pump(p);
                }
            }
        } catch (IOException e) {
            throw broken(p, e);
        }
    }

    /**
     * True if rank {@code j} is reached through a Unix-domain socket (a peer on this machine, see
     * {@link TcpOptions#unixSockets()}), false if over TCP.
     */
    public boolean unixDomain(int j) {
        return TcpRendezvous.isUnix(peer(j).data);
    }

    private TcpPeer peer(int j) {
        if (j < 0 || j >= size || j == rank) {
            throw new IllegalArgumentException("rank " + rank + " cannot message rank " + j + " in a group of "
                    + size);
        }
        return peers[j];
    }

    // ------------------------------------------------------------------------------------------- waiting

    @Override
    public boolean test(Message m) {
        if (!m.isDone()) {
            checkFailure();
            try {
                driveAll();
                selector.selectNow();
                handleSelected();
            } catch (IOException e) {
                throw new CollectiveException("rank " + rank + ": TCP progress failed: " + e, e);
            }
        }
        if (m.isDone()) {
            rethrow(m);
            return true;
        }
        return false;
    }

    @Override
    public void await(Message m) {
        if (m.isDone()) {
            rethrow(m);
            return;
        }
        TcpPeer p = peer(m.peer());
        long start = System.nanoTime();
        long spin = meanWaitNanos < MAX_ADAPTIVE_SPIN_NANOS
                ? Math.max(spinNanos, Math.min(2 * meanWaitNanos, MAX_ADAPTIVE_SPIN_NANOS)) : spinNanos;
        stalls.waiting(m.peer(), m.header().seq());
        try {
            while (!m.isDone()) {
                checkFailure();
                driveAll();
                if (m.isDone()) {
                    break;
                }
                long now = System.nanoTime();
                if (now - start < spin) {
                    // driveAll() polled the sockets; give the core away, as the peer may need it.
                    Thread.yield();
                    continue;
                }
                long idle = now - Math.max(start, p.lastActivity);
                if (idle >= timeoutNanos) {
                    stalled(m, p, idle);
                    continue;
                }
                if (p.goodbye && p.eof) {
                    throw left(p, m);
                }
                updateInterest();
                long sliceMs = Math.max(1, Math.min(SELECT_SLICE_MS, (timeoutNanos - idle) / 1_000_000 + 1));
                selector.select(sliceMs);
                handleSelected();
            }
        } catch (IOException e) {
            throw fail(new CollectiveException("rank " + rank + ": TCP progress failed: " + e, e));
        } finally {
            stalls.done();
        }
        meanWaitNanos += (System.nanoTime() - start - meanWaitNanos) / 8;
        rethrow(m);
    }

    private static void rethrow(Message m) {
        CollectiveException e = m.error();
        if (e != null) {
            throw e;
        }
    }

    private void checkFailure() {
        CollectiveException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /** Pushes every pending send and fills every posted receive as far as the sockets allow without blocking. */
    private void driveAll() throws IOException {
        for (TcpPeer p : peers) {
            if (p == null) {
                continue;
            }
            try {
                if (!p.sends.isEmpty()) {
                    flush(p);
                }
                if (!p.recvs.isEmpty()) {
                    pump(p);
                }
            } catch (IOException e) {
                throw broken(p, e);
            }
        }
    }

    private void updateInterest() {
        for (TcpPeer p : peers) {
            if (p == null) {
                continue;
            }
            int ops = (p.sends.isEmpty() ? 0 : SelectionKey.OP_WRITE) | (p.recvs.isEmpty() ? 0 : SelectionKey.OP_READ);
            if (ops != p.dataInterest && p.dataKey.isValid()) {
                p.dataKey.interestOps(ops);
                p.dataInterest = ops;
            }
        }
    }

    private void handleSelected() throws IOException {
        Iterator<SelectionKey> it = selector.selectedKeys().iterator();
        while (it.hasNext()) {
            SelectionKey k = it.next();
            it.remove();
            TcpPeer p = (TcpPeer) k.attachment();
            if (!k.isValid()) {
                continue;
            }
            try {
                if (k == p.controlKey) {
                    readControl(p);
                } else {
                    if (k.isWritable()) {
                        flush(p);
                    }
                    if (k.isReadable()) {
                        pump(p);
                    }
                }
            } catch (IOException e) {
                throw broken(p, e);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- sending

    /** Writes queued sends to {@code p} until done or the socket is full. */
    private void flush(TcpPeer p) throws IOException {
        while (!p.sends.isEmpty()) {
            Message m = p.sends.peekFirst();
            if (!p.outActive) {
                stage(p, m);
            }
            long w = p.direct != null ? p.data.write(p.gather) : p.data.write(p.out);
            if (w > 0) {
                p.lastActivity = System.nanoTime();
            }
            if (p.out.hasRemaining() || (p.direct != null && (p.direct.hasRemaining() || p.pad.hasRemaining()))) {
                return;
            }
            p.outActive = false;
            p.direct = null;
            if (m.progress >= m.byteSize() && m.attachment != null) {
                p.sends.pollFirst();
                m.complete();
            }
        }
    }

    /**
     * Prepares the next piece of {@code m}: its frame header first, then payload, then padding. A payload that lives
     * in a ByteBuffer ({@link io.ringsgd.collectives.ElementBuffer#ofBytes}) is written straight from it with the
     * header and padding in one gathering write; other payloads are copied into the staging buffer piece by piece.
     */
    private void stage(TcpPeer p, Message m) {
        ByteBuffer out = p.out;
        out.clear();
        long total = m.byteSize();
        if (m.attachment == null) {
            out.putInt(Frames.DATA_MAGIC).put(Frames.DATA).put((byte) 0).putShort((short) 0);
            out.putInt((int) total).putInt(0).putLong(m.notBeforeNanos());
            m.header().write(out);
            m.attachment = Boolean.TRUE;
            ByteBuffer bytes = m.buffer().bytes();
            if (bytes != null && total >= DIRECT_THRESHOLD) {
                int elem = m.buffer().type().bytes();
                ByteBuffer d = p.sendView(bytes);
                d.limit(m.offset() * elem + (int) total).position(m.offset() * elem);
                p.direct = d;
                p.pad.clear().limit((int) (Frames.padded(total) - total));
                p.gather[0] = out;
                p.gather[1] = d;
                p.gather[2] = p.pad;
                m.progress = total;
                out.flip();
                p.outActive = true;
                return;
            }
        }
        int elem = m.buffer().type().bytes();
        int done = (int) (m.progress / elem);
        int k = (int) Math.min(m.count() - done, (out.capacity() - out.position() - 8) / elem);
        if (k > 0) {
            m.buffer().copyTo(m.offset() + done, p.outView(m.buffer().type()), out.position() / elem, k);
            out.position(out.position() + k * elem);
            m.progress += (long) k * elem;
        }
        if (m.progress >= total) {
            long pad = Frames.padded(total) - total;
            for (int i = 0; i < pad; i++) {
                out.put((byte) 0);
            }
        }
        out.flip();
        p.outActive = true;
    }

    // ------------------------------------------------------------------------------------------- receiving

    /** Delivers what has arrived from {@code p} into its posted receives, reading the socket as needed. */
    private void pump(TcpPeer p) throws IOException {
        while (!p.recvs.isEmpty()) {
            if (!p.inFrame) {
                if (p.inLimit - p.inPos < Frames.DATA_HEADER_BYTES) {
                    if (!readMore(p)) {
                        return;
                    }
                    continue;
                }
                parseHeader(p);
            }
            Message m = p.recvs.peekFirst();
            if (!p.rxMatched) {
                match(p, m);
            }
            int elem = m.buffer().type().bytes();
            long left = p.rxPayload - p.rxDone;
            int whole = (int) Math.min(left / elem, (p.inLimit - p.inPos) / elem);
            if (whole > 0) {
                m.deliver(p.inView(m.buffer().type()), p.inPos / elem, (int) (p.rxDone / elem), whole);
                p.inPos += whole * elem;
                p.rxDone += (long) whole * elem;
                left -= (long) whole * elem;
            }
            if (left >= DIRECT_THRESHOLD && p.inPos == p.inLimit && m.reduceOp() == null
                    && m.buffer().bytes() != null) {
                // A plain receive into a ByteBuffer: read the rest of the payload straight into it.
                ByteBuffer d = p.recvView(m.buffer().bytes());
                int from = m.offset() * elem + (int) p.rxDone;
                d.limit(m.offset() * elem + p.rxPayload).position(from);
                int n = p.data.read(d);
                if (n < 0) {
                    p.eof = true;
                    throw dataClosed(p);
                }
                if (n == 0) {
                    return;
                }
                p.rxDone += n;
                p.lastActivity = System.nanoTime();
                continue;
            }
            if (left == 0) {
                int pad = (int) (Frames.padded(p.rxPayload) - p.rxPayload);
                if (p.inLimit - p.inPos < pad) {
                    if (!readMore(p)) {
                        return;
                    }
                    continue;
                }
                p.inPos += pad;
                p.inFrame = false;
                p.recvs.pollFirst();
                m.notBeforeNanos(p.rxNotBefore);
                m.complete();
            } else if (!readMore(p)) {
                return;
            }
        }
    }

    private void parseHeader(TcpPeer p) {
        ByteBuffer in = p.in;
        int at = p.inPos;
        int magic = in.getInt(at);
        byte type = in.get(at + 4);
        int payload = in.getInt(at + 8);
        if (magic != Frames.DATA_MAGIC || type != Frames.DATA || payload < 0
                || p.rxHeader.read(in, at + Frames.HEADER_OFFSET) == null) {
            throw fail(new PeerFailureException(p.rank, String.format("rank %d sent a malformed frame to rank %d"
                    + " (magic 0x%08x, type %d, length %d): the connection is corrupt or not from ringsgd; closing"
                    + " the job", p.rank, rank, magic, type, payload)));
        }
        p.rxPayload = payload;
        p.rxNotBefore = in.getLong(at + 16);
        p.rxDone = 0;
        p.rxMatched = false;
        p.inFrame = true;
        p.inPos += Frames.DATA_HEADER_BYTES;
    }

    private void match(TcpPeer p, Message m) {
        try {
            Header.check(p.rxHeader, p.rank, m.header(), rank);
        } catch (CollectiveMismatchException e) {
            throw fail(e);
        }
        if (p.rxPayload != m.byteSize()) {
            throw fail(new CollectiveMismatchException(p.rank, "rank " + p.rank + " sent " + p.rxPayload
                    + " bytes in " + p.rxHeader + " but rank " + rank + " expected " + m.byteSize()
                    + " bytes: do all ranks use the same segment size and options?"));
        }
        p.rxMatched = true;
    }

    /** Reads from {@code p}'s data socket into its staging buffer; false if nothing could be read now. */
    private boolean readMore(TcpPeer p) throws IOException {
        ByteBuffer in = p.in;
        if (p.inPos == p.inLimit) {
            p.inPos = 0;
            p.inLimit = 0;
        } else if (in.capacity() - p.inLimit < Frames.DATA_HEADER_BYTES + 64) {
            ByteBuffer d = in.duplicate();
            d.limit(p.inLimit).position(p.inPos);
            in.put(0, d, p.inPos, p.inLimit - p.inPos);
            p.inLimit -= p.inPos;
            p.inPos = 0;
        }
        in.limit(in.capacity()).position(p.inLimit);
        int n = p.data.read(in);
        if (n < 0) {
            p.eof = true;
            throw dataClosed(p);
        }
        if (n == 0) {
            return false;
        }
        p.inLimit += n;
        p.lastActivity = System.nanoTime();
        return true;
    }

    private CollectiveException dataClosed(TcpPeer p) {
        // An abort or goodbye sent just before the close travels on the control connection: read it first.
        try {
            readControl(p);
        } catch (IOException | CollectiveException ignored) {
            // reported below
        }
        CollectiveException f = failure;
        if (f != null) {
            return f;
        }
        if (p.goodbye) {
            return fail(new PeerFailureException(p.rank, "rank " + p.rank + " closed its communicator while rank "
                    + rank + " still expected data from it (" + describeWait(p) + ")"));
        }
        return fail(new PeerFailureException(p.rank, "rank " + p.rank + " died: its connection to rank " + rank
                + " closed without a goodbye (" + describeWait(p) + ")"));
    }

    private static String describeWait(TcpPeer p) {
        Message m = p.recvs.peekFirst();
        return m == null ? "no receive pending" : "during " + m.header();
    }

    private CollectiveException left(TcpPeer p, Message m) {
        return fail(new PeerFailureException(p.rank, "rank " + p.rank + " closed its communicator while rank "
                + rank + " waited for it during " + m.header()));
    }

    // ------------------------------------------------------------------------------------------- control

    private void readControl(TcpPeer p) throws IOException {
        readControl(p, true);
    }

    /**
     * Parses what the peer sent on its control connection; at its end, with {@code failAtEnd}, a peer that left
     * without a goodbye is declared dead (off while looking for the reason behind another connection's error).
     */
    private void readControl(TcpPeer p, boolean failAtEnd) throws IOException {
        ByteBuffer b = p.controlIn;
        while (true) {
            int n = p.control.read(b);
            if (n < 0) {
                p.eof = true;
                if (failAtEnd && !p.goodbye && failure == null && !closed) {
                    fail(new PeerFailureException(p.rank, "rank " + p.rank + " died: its control connection to rank "
                            + rank + " closed without a goodbye"));
                }
                p.controlKey.cancel();
                return;
            }
            parseControl(p, b);
            if (n == 0) {
                return;
            }
        }
    }

    private void parseControl(TcpPeer p, ByteBuffer b) {
        b.flip();
        while (b.remaining() >= Frames.CONTROL_HEADER_BYTES) {
            int at = b.position();
            int magic = b.getInt(at);
            byte type = b.get(at + 4);
            int len = b.getShort(at + 6) & 0xffff;
            if (magic != Frames.CONTROL_MAGIC || len > Frames.MAX_CONTROL_BODY) {
                b.clear();
                fail(new PeerFailureException(p.rank, String.format("rank %d sent a malformed control frame to rank"
                        + " %d (magic 0x%08x, length %d)", p.rank, rank, magic, len)));
                return;
            }
            if (b.remaining() < Frames.CONTROL_HEADER_BYTES + len) {
                break;
            }
            int body = at + Frames.CONTROL_HEADER_BYTES;
            if (type == Frames.GOODBYE) {
                p.goodbye = true;
            } else if (type == Frames.STALL && len >= 16) {
                stalls.heard(b.getInt(body), b.getInt(body + 4), b.getLong(body + 8));
                if (stalls.shouldReport(false)) {
                    reportStall();
                }
            } else if (type == Frames.ABORT && len >= 5) {
                byte kind = b.get(body);
                int culprit = b.getInt(body + 1);
                byte[] text = new byte[len - 5];
                b.get(body + 5, text);
                String msg = new String(text, StandardCharsets.UTF_8);
                CollectiveException e = kind == Frames.ABORT_PEER ? new PeerFailureException(culprit, msg)
                        : kind == Frames.ABORT_MISMATCH ? new CollectiveMismatchException(culprit, msg)
                        : new CollectiveException(msg);
                log.debug("rank {} received an abort from rank {}: {}", rank, p.rank, msg);
                setFailure(e);
            }
            b.position(at + Frames.CONTROL_HEADER_BYTES + len);
        }
        b.compact();
    }

    private void sendControl(TcpPeer p, byte type, ByteBuffer body) {
        synchronized (p.controlWriteLock) {
            ByteBuffer b = controlOut;
            b.clear();
            b.putInt(Frames.CONTROL_MAGIC).put(type).put((byte) 0).putShort((short) body.remaining());
            b.put(body);
            b.flip();
            long deadline = System.nanoTime() + 1_000_000_000L;
            try {
                while (b.hasRemaining() && System.nanoTime() < deadline) {
                    if (p.control.write(b) == 0) {
                        Thread.onSpinWait();
                    }
                }
            } catch (IOException e) {
                log.debug("rank {} could not send a control frame to rank {}: {}", rank, p.rank, e.toString());
            }
        }
    }

    private void broadcastControl(byte type, ByteBuffer body) {
        for (TcpPeer p : peers) {
            if (p != null && !p.eof) {
                sendControl(p, type, body.duplicate());
            }
        }
    }

    // ------------------------------------------------------------------------------------------- failure

    private void stalled(Message m, TcpPeer p, long idle) throws IOException {
        if (stalls.shouldReport(true)) {
            reportStall();
        }
        long waited = idle + graceNanos;
        graceWait(m, graceNanos);
        if (!m.isDone() && stalls.suspectsOnly(m.peer())) {
            // No report from the peer yet: if it is alive it will report or abort soon; wait once more.
            graceWait(m, graceNanos);
            waited += graceNanos;
        }
        if (m.isDone()) {
            return;
        }
        checkFailure();
        throw fail(stalls.verdict(m.peer(), m.header(), waited / 1_000_000));
    }

    private void graceWait(Message m, long nanos) throws IOException {
        long graceEnd = System.nanoTime() + nanos;
        while (System.nanoTime() < graceEnd && !m.isDone()) {
            checkFailure();
            driveAll();
            updateInterest();
            selector.select(Math.max(1, (graceEnd - System.nanoTime()) / 1_000_000));
            handleSelected();
        }
    }

    private void reportStall() {
        ByteBuffer body = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putInt(rank)
                .putInt(stalls.ownWaitsOn()).putLong(stalls.ownSeq());
        body.flip();
        broadcastControl(Frames.STALL, body);
    }

    private CollectiveException broken(TcpPeer p, IOException e) {
        CollectiveException f = failure;
        if (f == null && !p.eof) {
            // A peer that aborts sends its reason on the control connection before it closes: read it first. (A
            // Unix-domain socket closed with unread data reports a reset at once, ahead of the other connection.)
            try {
                readControl(p, false);
            } catch (IOException | RuntimeException ignored) {
                // the connection is gone: the reason, if it came, has been parsed
            }
            f = failure;
        }
        if (f != null) {
            return f;
        }
        return fail(new PeerFailureException(p.rank, "the connection between rank " + rank + " and rank " + p.rank
                + " failed: " + e.getMessage() + (p.goodbye ? "" : " (rank " + p.rank + " died?)"), e));
    }

    /** Records {@code e} as this rank's failure, tells every peer, and returns the failure to throw. */
    private CollectiveException fail(CollectiveException e) {
        abort(e);
        return failure;
    }

    private boolean setFailure(CollectiveException e) {
        synchronized (this) {
            if (failure != null) {
                return false;
            }
            failure = e;
        }
        return true;
    }

    @Override
    public void abort(CollectiveException cause) {
        if (!setFailure(cause)) {
            return;
        }
        log.debug("rank {} aborts: {}", rank, cause.getMessage());
        broadcastControl(Frames.ABORT, abortBody(cause));
        selector.wakeup();
    }

    private ByteBuffer abortBody(CollectiveException cause) {
        byte kind = cause instanceof PeerFailureException ? Frames.ABORT_PEER
                : cause instanceof CollectiveMismatchException ? Frames.ABORT_MISMATCH : Frames.ABORT_FAILURE;
        int culprit = cause instanceof PeerFailureException ? ((PeerFailureException) cause).rank()
                : cause instanceof CollectiveMismatchException ? ((CollectiveMismatchException) cause).rank() : rank;
        byte[] text = String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8);
        int len = Math.min(text.length, Frames.MAX_CONTROL_BODY - 5);
        ByteBuffer body = ByteBuffer.allocate(5 + len).order(ByteOrder.LITTLE_ENDIAN).put(kind).putInt(culprit)
                .put(text, 0, len);
        body.flip();
        return body;
    }

    @Override
    public CollectiveException failure() {
        return failure;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        CollectiveException f = failure;
        if (f != null) {
            // Leaving after a failure: repeat it, so a peer that sees this rank go before it heard the failure from
            // its origin learns the cause instead of blaming this rank.
            broadcastControl(Frames.ABORT, abortBody(f));
        } else {
            broadcastControl(Frames.GOODBYE, ByteBuffer.allocate(0));
        }
        for (TcpPeer p : peers) {
            if (p != null) {
                TcpRendezvous.closeQuietly(p.data);
                TcpRendezvous.closeQuietly(p.control);
            }
        }
        try {
            selector.close();
        } catch (IOException ignored) {
            // best effort
        }
    }

    @Override
    public String toString() {
        return "tcp rank " + rank + "/" + size;
    }
}

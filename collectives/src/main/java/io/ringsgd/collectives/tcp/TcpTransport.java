package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.PeerFailureException;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Messages;
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
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
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
 * While it waits, a rank also reads the first frame a peer sent ahead of any posted receive: one of its own
 * collective that disagrees with it (ranks that called different collectives) fails every rank at once.
 *
 * <p>A peer on the same machine may be reached through shared memory instead ({@link ShmLink}, set up by the
 * rendezvous): the same frames then go through a ring buffer per direction, written straight from the sender's buffer
 * and read (copied or reduced) straight out of the ring, and the data connection only carries one-byte wake-ups to a
 * side that went to sleep waiting for data or for room ({@link #armIdle}). The control connection is unchanged, so
 * aborts, stall reports and a dead peer's closed connection are seen as before.
 *
 * <p>What the transport knows about a message in flight lives in its {@link TcpPeer} queues and staging state, never in
 * the {@link Message}; selecting allocates nothing (one {@code Consumer} handles every ready key).
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
    /** How long a rank whose peer left looks for a disagreement behind it before blaming the peer. */
    private static final long EXPLAIN_NANOS = 1_000_000_000L;
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
    /** Whether a thread waits for the running collective (spinning is for them only). */
    private volatile java.util.function.BooleanSupplier urgent = () -> true;
    /** Handles each ready key of a select; one instance, so selecting allocates nothing. */
    private final Consumer<SelectionKey> onReady = this::handle;
    /** {@link #await} as an {@link #awaitAny} of one (one thread drives a transport at a time). */
    private final Message[] one = new Message[1];
    /** Header of the collective of the last message posted (what early frames are checked against). */
    private Header current;
    /** Payload and frame-header bytes of the data frames posted; written by the one thread driving this endpoint. */
    private volatile long bytesSent;
    /** Whether some peer is reached through shared memory (waits then also poll its rings). */
    private boolean anyShm;
    /** Largest piece copied into or out of a ring before it is published (so the other side can start on it). */
    private static final int SHM_PIECE = 64 << 10;
    private final ByteBuffer stallReport = ByteBuffer.allocate(StallBoard.REPORT_BYTES).order(ByteOrder.LITTLE_ENDIAN);

    /** How this transport was made, to make a new context the same way ({@link #dup}); set once, before use. */
    private TcpOptions madeWith;
    private CommunicatorConfig madeFor;

    void madeBy(TcpOptions options, CommunicatorConfig config) {
        this.madeWith = options;
        this.madeFor = config;
    }

    @Override
    public boolean canDup() {
        return madeWith != null;
    }

    /**
     * A new set of connections between the same ranks: rank 0 listens on a fresh port, hands it to the others over
     * this transport, and every rank runs the rendezvous again (same secret, same options).
     */
    @Override
    public Transport dup(java.util.function.LongUnaryOperator fromRankZero) {
        if (madeWith == null) {
            throw new UnsupportedOperationException("this TCP transport was not made by a rendezvous");
        }
        TcpRendezvous rv = rank == 0 ? TcpRendezvous.open(madeWith.withMasterPort(0)) : null;
        try {
            long port = fromRankZero.applyAsLong(rank == 0 ? rv.port() : 0);
            if (rv == null) {
                rv = TcpRendezvous.open(madeWith.withMasterPort((int) port));
            }
            return rv.connect(madeFor);
        } finally {
            if (rv != null) {
                rv.close();
            }
        }
    }

    TcpTransport(int rank, int size, SocketChannel[] data, SocketChannel[] control, ShmLink[] shm,
            CommunicatorConfig config) throws IOException {
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
            TcpPeer p = new TcpPeer(j, data[j], control[j], shm[j]);
            anyShm |= shm[j] != null;
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
    public long bytesSent() {
        return bytesSent;
    }

    @Override
    public void post(Message m) {
        checkFailure();
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s TCP transport is closed");
        }
        TcpPeer p = peer(m.peer());
        current = m.header();
        if (m.byteSize() > Integer.MAX_VALUE - 64) {
            throw new IllegalArgumentException("a message of " + m.byteSize() + " bytes is too large for one frame");
        }
        try {
            if (m.isSend()) {
                bytesSent += m.byteSize() + Frames.DATA_HEADER_BYTES;
                p.sends.addLast(m);
                if (p.sends.size() == 1) {
                    if (p.shm != null) {
                        flushShm(p);
                    } else {
                        flush(p);
                    }
                }
            } else {
                p.recvs.addLast(m);
                if (p.recvs.size() == 1) {
                    if (p.shm != null) {
                        pumpShm(p);
                    } else {
                        pump(p);
                    }
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

    /** True if rank {@code j}'s data moves through shared memory (see {@link TcpOptions#sharedMemory()}). */
    public boolean sharedMemory(int j) {
        return peer(j).shm != null;
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
                selector.selectNow(onReady);
            } catch (IOException e) {
                throw new CollectiveException("rank " + rank + ": TCP progress failed: " + e, e);
            }
        }
        if (m.isDone()) {
            Messages.rethrow(m);
            return true;
        }
        return false;
    }

    @Override
    public void spinOnlyWhen(java.util.function.BooleanSupplier u) {
        this.urgent = u;
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
    public int awaitAny(Message[] ms, int n) {
        Message head = ms[Messages.first(ms, n)];
        int done = Messages.firstDone(ms, n);
        if (done >= 0) {
            Messages.rethrow(ms[done]);
            return done;
        }
        long start = System.nanoTime();
        long spin = !urgent.getAsBoolean() ? 0 : meanWaitNanos < MAX_ADAPTIVE_SPIN_NANOS
                ? Math.max(spinNanos, Math.min(2 * meanWaitNanos, MAX_ADAPTIVE_SPIN_NANOS)) : spinNanos;
        stalls.waiting(head.peer(), head.header());
        try {
            while (true) {
                checkFailure();
                driveAll();
                done = Messages.firstDone(ms, n);
                if (done >= 0) {
                    break;
                }
                long now = System.nanoTime();
                if (now - start < spin) {
                    // driveAll() polled the sockets; give the core away, as the peer may need it.
                    Thread.yield();
                    continue;
                }
                checkEarlyFrames(head.header());
                long idle = now - Math.max(start, lastActivity(ms, n));
                if (idle >= timeoutNanos) {
                    stalled(ms, n, head, idle);
                    continue;
                }
                boolean lateData = false;
                for (int i = 0; i < n && !lateData; i++) {
                    if (ms[i] != null && !ms[i].isDone()) {
                        TcpPeer p = peer(ms[i].peer());
                        if (p.goodbye && p.eof) {
                            // A peer that wrote into the shared ring and then said goodbye: its data may have
                            // arrived after the last poll and before its goodbye was read (the socket orders the two,
                            // the ring does not). Read the ring once more before blaming the peer.
                            lateData = p.shm != null && drainedAfterGoodbye(p);
                            if (!lateData) {
                                throw left(p, ms[i]);
                            }
                        }
                    }
                }
                if (lateData) {
                    continue;
                }
                updateInterest();
                long sliceMs = Math.max(1, Math.min(SELECT_SLICE_MS, (timeoutNanos - idle) / 1_000_000 + 1));
                if (anyShm && !armIdle()) {
                    // data moved while the shared-memory peers were asked to wake this rank: look again first
                    disarmIdle();
                    continue;
                }
                selector.select(onReady, sliceMs);
                if (anyShm) {
                    disarmIdle();
                }
            }
        } catch (IOException e) {
            throw fail(new CollectiveException("rank " + rank + ": TCP progress failed: " + e, e));
        } finally {
            stalls.done();
        }
        meanWaitNanos += (System.nanoTime() - start - meanWaitNanos) / 8;
        Messages.rethrow(ms[done]);
        return done;
    }

    /** The latest time bytes moved to or from a peer of one of the messages. */
    private long lastActivity(Message[] ms, int n) {
        long last = Long.MIN_VALUE;
        for (int i = 0; i < n; i++) {
            if (ms[i] != null) {
                last = Math.max(last, peer(ms[i].peer()).lastActivity);
            }
        }
        return last;
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
                if (p.shm != null) {
                    if (!p.sends.isEmpty()) {
                        flushShm(p);
                    }
                    if (!p.recvs.isEmpty()) {
                        pumpShm(p);
                    }
                    continue;
                }
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

    /**
     * Before sleeping: asks each shared-memory peer this rank waits on (for data, or for room in a ring) to ring the
     * doorbell when it moves, then polls once more (a peer that moved just before the request does not ring).
     * False if that poll moved data: do not sleep.
     */
    private boolean armIdle() throws IOException {
        long before = shmMoves;
        for (TcpPeer p : peers) {
            if (p != null && p.shm != null && !p.bellClosed) {
                if (!p.recvs.isEmpty()) {
                    p.shm.in.consumerIdle(true);
                }
                if (!p.sends.isEmpty()) {
                    p.shm.out.producerIdle(true);
                }
            }
        }
        driveAll();
        return shmMoves == before;
    }

    private void disarmIdle() {
        for (TcpPeer p : peers) {
            if (p != null && p.shm != null) {
                p.shm.in.consumerIdle(false);
                p.shm.out.producerIdle(false);
            }
        }
    }

    /** Counts pieces moved through rings (to tell whether a poll made progress). */
    private long shmMoves;

    // ------------------------------------------------------------------------------------------- shared memory

    /**
     * Writes queued sends to {@code p}'s ring as far as it has room: the frame header, then the payload copied
     * straight from the caller's buffer in pieces of at most {@link #SHM_PIECE} bytes (each published at once, so
     * the peer can read one while this rank copies the next), then the padding.
     */
    private void flushShm(TcpPeer p) {
        ShmRing r = p.shm.out;
        boolean wake = false;
        long moved = shmMoves;
        while (!p.sends.isEmpty()) {
            Message m = p.sends.peekFirst();
            long total = m.byteSize();
            if (!p.sendStarted) {
                if (r.free() < Frames.DATA_HEADER_BYTES) {
                    break;
                }
                ByteBuffer h = p.shmOutHeader.clear();
                h.putInt(Frames.DATA_MAGIC).put(Frames.DATA).put((byte) 0).putShort((short) 0);
                h.putInt((int) total).putInt(0).putLong(m.notBeforeNanos());
                m.header().write(h);
                r.putWrapped(h, 0, Frames.DATA_HEADER_BYTES);
                p.sendStarted = true;
                p.sendStaged = 0;
                wake |= r.publish();
                shmMoves++;
            }
            ElementBuffer src = m.buffer();
            int elem = src.type().bytes();
            while (p.sendStaged < total) {
                int room = Math.min(r.writable(), SHM_PIECE);
                int k = (int) Math.min((total - p.sendStaged) / elem, room / elem);
                if (k <= 0) {
                    break;
                }
                src.copyTo(m.offset() + (int) (p.sendStaged / elem), r.view(src.type()), r.writeIndex() / elem, k);
                r.advanceWrite(k * elem);
                p.sendStaged += (long) k * elem;
                wake |= r.publish();
                shmMoves++;
            }
            if (p.sendStaged < total) {
                break;
            }
            int pad = (int) (Frames.padded(total) - total);
            if (pad > 0) {
                if (r.free() < pad) {
                    break;
                }
                r.advanceWrite(pad);
                wake |= r.publish();
            }
            p.sends.pollFirst();
            p.sendStarted = false;
            p.sendStaged = 0;
            m.complete();
        }
        if (shmMoves != moved) {
            p.lastActivity = System.nanoTime();
        }
        if (wake) {
            ringBell(p);
        }
    }

    /**
     * True if {@code p}'s ring still held data for its posted receives (moved now). Called after {@code p}'s goodbye
     * was read: everything it wrote into the ring before it was written before the goodbye, so this poll sees it.
     */
    private boolean drainedAfterGoodbye(TcpPeer p) {
        long before = shmMoves;
        pumpShm(p);
        return shmMoves != before;
    }

    /**
     * Delivers frames from {@code p}'s ring into its posted receives: each header is checked as on a socket, and the
     * payload is copied, or reduced, straight out of the shared segment into the receiver's buffer.
     */
    private void pumpShm(TcpPeer p) {
        ShmRing r = p.shm.in;
        boolean wake = false;
        long moved = shmMoves;
        while (!p.recvs.isEmpty()) {
            if (!p.inFrame) {
                if (r.readable() < Frames.DATA_HEADER_BYTES) {
                    break;
                }
                r.peek(0, p.shmInHeader, Frames.DATA_HEADER_BYTES);
                readFrameHeader(p.rank, p.shmInHeader, 0, p.rxHeader);
                p.rxPayload = p.shmInHeader.getInt(8);
                p.rxNotBefore = p.shmInHeader.getLong(16);
                p.rxDone = 0;
                p.rxMatched = false;
                p.inFrame = true;
                wake |= r.consume(Frames.DATA_HEADER_BYTES);
                shmMoves++;
            }
            Message m = p.recvs.peekFirst();
            if (!p.rxMatched) {
                match(p, m);
            }
            ElementBuffer view = r.view(m.buffer().type());
            int elem = m.buffer().type().bytes();
            long left = p.rxPayload - p.rxDone;
            while (left > 0) {
                int avail = Math.min(r.readableContiguous(), SHM_PIECE);
                int whole = (int) Math.min(left / elem, avail / elem);
                if (whole <= 0) {
                    break;
                }
                m.deliver(view, r.readIndex() / elem, (int) (p.rxDone / elem), whole);
                p.rxDone += (long) whole * elem;
                left -= (long) whole * elem;
                wake |= r.consume(whole * elem);
                shmMoves++;
            }
            if (left > 0) {
                break;
            }
            int pad = (int) (Frames.padded(p.rxPayload) - p.rxPayload);
            if (pad > 0) {
                if (r.readable() < pad) {
                    break;
                }
                wake |= r.consume(pad);
            }
            p.inFrame = false;
            p.recvs.pollFirst();
            m.notBeforeNanos(p.rxNotBefore);
            m.complete();
        }
        if (shmMoves != moved) {
            p.lastActivity = System.nanoTime();
        }
        if (wake) {
            ringBell(p);
        }
    }

    /** Wakes {@code p}, asleep in its selector: one byte on the data connection (best effort: if it is full, it is awake). */
    private void ringBell(TcpPeer p) {
        if (p.bellClosed) {
            return;
        }
        try {
            p.bellOut.clear();
            p.data.write(p.bellOut);
        } catch (IOException e) {
            // the peer is gone; its control connection says how
        }
    }

    /** Reads the doorbells a shared-memory peer rang (their content means nothing); notes when it closed. */
    private void drainBell(TcpPeer p) {
        try {
            while (true) {
                p.bellIn.clear();
                int n = p.data.read(p.bellIn);
                if (n < 0) {
                    p.bellClosed = true;
                    return;
                }
                if (n < p.bellIn.capacity()) {
                    return;
                }
            }
        } catch (IOException e) {
            p.bellClosed = true;
        }
    }

    /**
     * Data connections are watched for writing while sends are queued and for reading while receives are posted, or,
     * with none posted, until a frame header has arrived to be checked ({@link #checkEarlyFrames}).
     */
    private void updateInterest() {
        for (TcpPeer p : peers) {
            if (p == null) {
                continue;
            }
            if (p.shm != null) {
                int ops = p.bellClosed ? 0 : SelectionKey.OP_READ;
                if (ops != p.dataInterest && p.dataKey.isValid()) {
                    p.dataKey.interestOps(ops);
                    p.dataInterest = ops;
                }
                continue;
            }
            boolean read = !p.recvs.isEmpty() || (!p.eof && p.inLimit - p.inPos < Frames.DATA_HEADER_BYTES);
            int ops = (p.sends.isEmpty() ? 0 : SelectionKey.OP_WRITE) | (read ? SelectionKey.OP_READ : 0);
            if (ops != p.dataInterest && p.dataKey.isValid()) {
                p.dataKey.interestOps(ops);
                p.dataInterest = ops;
            }
        }
    }

    /** One ready key of a select. */
    private void handle(SelectionKey k) {
        TcpPeer p = (TcpPeer) k.attachment();
        if (!k.isValid()) {
            return;
        }
        try {
            if (k == p.controlKey) {
                readControl(p);
            } else if (p.shm != null) {
                drainBell(p);
            } else {
                if (k.isWritable()) {
                    flush(p);
                }
                if (k.isReadable()) {
                    if (p.recvs.isEmpty()) {
                        readEarly(p);
                    } else {
                        pump(p);
                    }
                }
            }
        } catch (IOException e) {
            throw broken(p, e);
        }
    }

    /**
     * Fails every rank if a frame waiting for a receive that is not posted belongs to this rank's collective
     * {@code mine} (or an earlier one) but disagrees with it. Ranks that called different collectives may never post
     * the receives that would meet each other's frames; this is where they find out, at once instead of at the
     * timeout. A frame of a later collective is a peer running ahead, which is fine.
     */
    private void checkEarlyFrames(Header mine) {
        for (TcpPeer p : peers) {
            if (p == null || !p.recvs.isEmpty() || p.inFrame) {
                continue;
            }
            Header h;
            if (p.shm != null) {
                if (p.shm.in.readable() < Frames.DATA_HEADER_BYTES) {
                    continue;
                }
                p.shm.in.peek(0, p.shmInHeader, Frames.DATA_HEADER_BYTES);
                h = readFrameHeader(p.rank, p.shmInHeader, 0, p.peekHeader);
            } else if (p.inLimit - p.inPos < Frames.DATA_HEADER_BYTES) {
                continue;
            } else {
                h = readFrameHeader(p, p.peekHeader);
            }
            if (h.seq() < mine.seq() || (h.seq() == mine.seq() && !h.sameCollective(mine))) {
                throw fail(new CollectiveMismatchException(p.rank, Header.mismatch(h, p.rank, mine, rank)));
            }
        }
    }

    /** Reads what a peer with no receive posted has sent, as far as a frame header, without consuming it. */
    private static void readEarly(TcpPeer p) throws IOException {
        if (p.shm != null) {
            return; // the ring is always readable
        }
        // At the end of the stream nothing is expected from it: whether it left or died, its control connection says.
        if (p.inLimit - p.inPos < Frames.DATA_HEADER_BYTES) {
            fill(p);
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
            if (p.sendStarted && p.sendStaged >= m.byteSize()) {
                p.sends.pollFirst();
                p.sendStarted = false;
                p.sendStaged = 0;
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
        if (!p.sendStarted) {
            out.putInt(Frames.DATA_MAGIC).put(Frames.DATA).put((byte) 0).putShort((short) 0);
            out.putInt((int) total).putInt(0).putLong(m.notBeforeNanos());
            m.header().write(out);
            p.sendStarted = true;
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
                p.sendStaged = total;
                out.flip();
                p.outActive = true;
                return;
            }
        }
        int elem = m.buffer().type().bytes();
        int done = (int) (p.sendStaged / elem);
        int k = (int) Math.min(m.count() - done, (out.capacity() - out.position() - 8) / elem);
        if (k > 0) {
            m.buffer().copyTo(m.offset() + done, p.outView(m.buffer().type()), out.position() / elem, k);
            out.position(out.position() + k * elem);
            p.sendStaged += (long) k * elem;
        }
        if (p.sendStaged >= total) {
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
                // The stream moved n bytes past the (empty) staging buffer: keep the staging index congruent to
                // the stream offset modulo 8, or the next frame's elements would be read misaligned.
                p.inPos = p.inLimit = (p.inPos + n) & (ALIGN - 1);
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
        readFrameHeader(p, p.rxHeader);
        p.rxPayload = p.in.getInt(p.inPos + 8);
        p.rxNotBefore = p.in.getLong(p.inPos + 16);
        p.rxDone = 0;
        p.rxMatched = false;
        p.inFrame = true;
        p.inPos += Frames.DATA_HEADER_BYTES;
    }

    /**
     * Validates the data frame header at {@code p.inPos} (at least {@link Frames#DATA_HEADER_BYTES} are buffered) and
     * reads its collective header into {@code into}, without consuming anything; a malformed frame fails the job.
     */
    private Header readFrameHeader(TcpPeer p, Header into) {
        return readFrameHeader(p.rank, p.in, p.inPos, into);
    }

    private Header readFrameHeader(int from, ByteBuffer in, int at, Header into) {
        int magic = in.getInt(at);
        byte type = in.get(at + 4);
        int payload = in.getInt(at + 8);
        if (magic != Frames.DATA_MAGIC || type != Frames.DATA || payload < 0
                || into.read(in, at + Frames.HEADER_OFFSET) == null) {
            throw fail(new PeerFailureException(from, String.format("rank %d sent a malformed frame to rank %d"
                    + " (magic 0x%08x, type %d, length %d): the connection is corrupt or not from ringsgd; closing"
                    + " the job", from, rank, magic, type, payload)));
        }
        return into;
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
        int n = fill(p);
        if (n < 0) {
            throw dataClosed(p);
        }
        return n > 0;
    }

    /** Reads from {@code p}'s data socket into the free end of its staging buffer: the count, -1 at end of stream. */
    private static int fill(TcpPeer p) throws IOException {
        ByteBuffer in = p.in;
        compact(p);
        in.limit(in.capacity()).position(p.inLimit);
        int n = p.data.read(in);
        if (n < 0) {
            p.eof = true;
        } else if (n > 0) {
            p.inLimit += n;
            p.lastActivity = System.nanoTime();
        }
        return n;
    }

    /**
     * Makes room at the end of {@code p}'s staging buffer for at least a frame header and some payload. Frames are
     * padded to {@link #ALIGN} bytes and elements are read at {@code inPos / elementBytes}, so the staging index of
     * every byte stays congruent to its offset in the stream modulo {@link #ALIGN}: data is moved to (and an empty
     * buffer restarts at) the index {@code inPos % ALIGN}, never to 0.
     */
    private static void compact(TcpPeer p) {
        ByteBuffer in = p.in;
        int keep = p.inPos & (ALIGN - 1);
        if (p.inPos == p.inLimit) {
            p.inPos = keep;
            p.inLimit = keep;
        } else if (in.capacity() - p.inLimit < Frames.DATA_HEADER_BYTES + 64) {
            ByteBuffer d = in.duplicate();
            d.limit(p.inLimit).position(p.inPos);
            in.put(keep, d, p.inPos, p.inLimit - p.inPos);
            p.inLimit -= p.inPos - keep;
            p.inPos = keep;
        }
    }

    /** Frames are padded to this many bytes (the widest element), see {@link Frames#padded}. */
    private static final int ALIGN = 8;

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
            return explained(new PeerFailureException(p.rank, "rank " + p.rank + " closed its communicator while"
                    + " rank " + rank + " still expected data from it (" + describeWait(p) + ")"));
        }
        return fail(new PeerFailureException(p.rank, "rank " + p.rank + " died: its connection to rank " + rank
                + " closed without a goodbye (" + describeWait(p) + ")"));
    }

    /**
     * A peer left, or its connection broke, while this rank still needs it. A rank that finished its part of a
     * collective the ranks disagree on leaves normally, so the real cause may be a disagreement: one that a frame
     * already here shows, or one another rank found and is about to report. For a short grace period this rank reads
     * the other connections for either, then reports the disagreement or the abort it heard, else {@code e}.
     */
    private CollectiveException explained(CollectiveException e) {
        Header mine = current;
        long deadline = System.nanoTime() + EXPLAIN_NANOS;
        while (mine != null && failure == null) {
            for (TcpPeer q : peers) {
                if (q == null) {
                    continue;
                }
                try {
                    if (q.recvs.isEmpty()) {
                        readEarly(q);
                    }
                    readControl(q, false);
                } catch (IOException unreadable) {
                    // nothing more to learn from this peer
                }
            }
            try {
                checkEarlyFrames(mine);
            } catch (CollectiveException disagreement) {
                return disagreement;
            }
            if (failure != null || System.nanoTime() > deadline) {
                break;
            }
            LockSupport.parkNanos(1_000_000);
        }
        CollectiveException f = failure;
        return f != null ? f : fail(e);
    }

    private static String describeWait(TcpPeer p) {
        Message m = p.recvs.peekFirst();
        return m == null ? "no receive pending" : "during " + m.header();
    }

    private CollectiveException left(TcpPeer p, Message m) {
        return explained(new PeerFailureException(p.rank, "rank " + p.rank + " closed its communicator while rank "
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
                stalls.heard(b.getInt(body), b.getInt(body + 4), b.getLong(body + 8),
                        len >= StallBoard.REPORT_BYTES ? b : null, body + 16);
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

    /**
     * No progress on any of the awaited messages for the timeout: report the stall, give the other ranks a grace
     * period to report theirs (two if the awaited peer has not reported), and fail naming the end of the wait-for
     * chain, or the disagreement if the reports show ranks waiting in different collectives. Returns if a message
     * completed meanwhile.
     */
    private void stalled(Message[] ms, int n, Message head, long idle) throws IOException {
        if (stalls.shouldReport(true)) {
            reportStall();
        }
        long waited = idle + graceNanos;
        if (graceWait(ms, n, graceNanos)) {
            return;
        }
        if (stalls.suspectsOnly(head.peer())) {
            // No report from the peer yet: if it is alive it will report or abort soon; wait once more.
            waited += graceNanos;
            if (graceWait(ms, n, graceNanos)) {
                return;
            }
        }
        checkFailure();
        throw fail(stalls.verdict(head.peer(), head.header(), waited / 1_000_000));
    }

    /** Drives progress for up to {@code nanos}; true as soon as one of the messages has completed. */
    private boolean graceWait(Message[] ms, int n, long nanos) throws IOException {
        long graceEnd = System.nanoTime() + nanos;
        while (System.nanoTime() < graceEnd) {
            if (Messages.firstDone(ms, n) >= 0) {
                return true;
            }
            checkFailure();
            driveAll();
            updateInterest();
            selector.select(onReady, anyShm ? 1 : Math.max(1, (graceEnd - System.nanoTime()) / 1_000_000));
        }
        return Messages.firstDone(ms, n) >= 0;
    }

    private void reportStall() {
        ByteBuffer body = stallReport.clear();
        stalls.writeReport(body);
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
        return explained(new PeerFailureException(p.rank, "the connection between rank " + rank + " and rank " + p.rank
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

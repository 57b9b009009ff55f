package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;

/**
 * The state a {@link TcpTransport} keeps per peer: the data and control connections, the FIFO queues of posted sends
 * and receives, and one direct staging buffer each way (with typed views, so elements are copied or reduced straight
 * between the staging buffer and the caller's arrays).
 */
final class TcpPeer {
    /** Staging buffer size each way; big enough that a large segment costs few system calls. */
    static final int STAGE_BYTES = 512 << 10;

    final int rank;
    final SocketChannel data;
    final SocketChannel control;
    SelectionKey dataKey;
    SelectionKey controlKey;
    int dataInterest = -1;

    final ArrayDeque<Message> sends = new ArrayDeque<>();
    final ArrayDeque<Message> recvs = new ArrayDeque<>();

    // outgoing: the bytes of the head send being written, [position, limit) still to go
    final ByteBuffer out = ByteBuffer.allocateDirect(STAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** {@link #out} seen as elements of each type, by ordinal. */
    private final ElementBuffer[] outViews = views(out);
    boolean outActive;
    /** The head send's frame header has been staged (its payload follows). */
    boolean sendStarted;
    /** Payload bytes of the head send staged so far (all of them once it is written straight from its buffer). */
    long sendStaged;
    /** The payload slice of the head send when it is written straight from the caller's ByteBuffer, else null. */
    ByteBuffer direct;
    final ByteBuffer pad = ByteBuffer.allocateDirect(8);
    final ByteBuffer[] gather = new ByteBuffer[3];
    private ByteBuffer sendSource;
    private ByteBuffer sendDup;
    private ByteBuffer recvSource;
    private ByteBuffer recvDup;

    // incoming: bytes [inPos, inLimit) of `in` are received but not consumed
    final ByteBuffer in = ByteBuffer.allocateDirect(STAGE_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    /** {@link #in} seen as elements of each type, by ordinal. */
    private final ElementBuffer[] inViews = views(in);
    int inPos;
    int inLimit;
    /** A data frame header has been parsed and its payload is being consumed. */
    boolean inFrame;
    final Header rxHeader = new Header();
    int rxPayload;
    long rxNotBefore;
    /** Payload bytes of the current frame already delivered. */
    long rxDone;
    /** The head receive has been checked against the current frame's header. */
    boolean rxMatched;
    /** Header of a frame that arrived while no receive was posted, parsed to check it against this rank's. */
    final Header peekHeader = new Header();

    final ByteBuffer controlIn = ByteBuffer.allocate(Frames.CONTROL_HEADER_BYTES + Frames.MAX_CONTROL_BODY)
            .order(ByteOrder.LITTLE_ENDIAN);
    final Object controlWriteLock = new Object();

    /**
     * The shared-memory link to this peer, or null: with it, data frames go through its rings and the data
     * connection only carries one-byte wake-ups ("doorbells") to a side that went to sleep.
     */
    final ShmLink shm;
    /** Frame header being written to, or read from, the ring. */
    final ByteBuffer shmOutHeader = ByteBuffer.allocate(Frames.DATA_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    final ByteBuffer shmInHeader = ByteBuffer.allocate(Frames.DATA_HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    final ByteBuffer bellOut = ByteBuffer.allocateDirect(1);
    final ByteBuffer bellIn = ByteBuffer.allocateDirect(64);
    /** The data connection of a shared-memory peer is closed (the rings may still hold its last frames). */
    boolean bellClosed;

    /** The peer said goodbye: it left the group deliberately. */
    volatile boolean goodbye;
    /** Its connection is gone. */
    boolean eof;
    /** Last {@link System#nanoTime()} at which bytes moved to or from this peer. */
    long lastActivity = System.nanoTime();

    TcpPeer(int rank, SocketChannel data, SocketChannel control, ShmLink shm) {
        this.rank = rank;
        this.data = data;
        this.control = control;
        this.shm = shm;
    }

    /** A reusable duplicate of {@code b} for writing (position and limit are the caller's to set). */
    ByteBuffer sendView(ByteBuffer b) {
        if (b != sendSource) {
            sendSource = b;
            sendDup = b.duplicate();
        }
        return sendDup;
    }

    /** A reusable duplicate of {@code b} for reading into. */
    ByteBuffer recvView(ByteBuffer b) {
        if (b != recvSource) {
            recvSource = b;
            recvDup = b.duplicate();
        }
        return recvDup;
    }

    ElementBuffer outView(ElementType t) {
        return outViews[t.ordinal()];
    }

    ElementBuffer inView(ElementType t) {
        return inViews[t.ordinal()];
    }

    private static ElementBuffer[] views(ByteBuffer b) {
        ElementType[] types = ElementType.values();
        ElementBuffer[] v = new ElementBuffer[types.length];
        for (ElementType t : types) {
            v[t.ordinal()] = ElementBuffer.ofBytes(b, t, 0, STAGE_BYTES / t.bytes());
        }
        return v;
    }
}

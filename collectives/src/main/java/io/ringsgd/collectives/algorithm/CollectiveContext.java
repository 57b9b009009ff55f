package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;
import java.util.Arrays;

/**
 * What a running collective needs besides its buffers: the transport, the header of the current call, pools of
 * reusable messages and scratch arrays, and the pipelining parameters. One per communicator; the communicator runs one
 * collective at a time, so nothing here is shared between threads: it is not thread-safe, and a collective given one
 * (an {@link AlgorithmRegistry.Implementation}, a {@link io.ringsgd.collectives.Communicator.CustomCollective}) may
 * use it only during its run. The blocking helpers throw what the transport's waits throw.
 */
public final class CollectiveContext {
    private final Transport transport;
    private final int rank;
    private final int size;
    private final Header header = new Header();
    private Header[] counted = {new Header(), new Header()};
    private Message[] recvs = new Message[8];
    private boolean[] recvSkipped = new boolean[8];
    private Message[] sends = new Message[8];
    private int sendHead;
    private int sendTail;
    private final Message[] pair = {new Message(), new Message()};
    private float[][] floatScratch = {new float[0], new float[0]};
    private double[][] doubleScratch = {new double[0], new double[0]};
    private byte[][] byteScratch = {new byte[0], new byte[0]};
    private int[][] intScratch = {new int[0], new int[0]};
    private long[][] longScratch = {new long[0], new long[0]};
    private int segmentBytes;
    private int bcubeBase;
    private int window;
    private int[] sendCounts;
    private int[] sendDispls;
    private int[] recvCounts;
    private int[] recvDispls;
    private final int[] uniformCounts;
    private final int[] uniformDispls;

    /** A context over {@code transport} with the communicator's pipelining parameters. */
    public CollectiveContext(Transport transport, int segmentBytes, int window) {
        this.transport = transport;
        this.rank = transport.rank();
        this.size = transport.size();
        this.segmentBytes = segmentBytes;
        this.window = window;
        for (int i = 0; i < recvs.length; i++) {
            recvs[i] = new Message();
            sends[i] = new Message();
        }
        this.uniformCounts = new int[size];
        this.uniformDispls = new int[size];
    }

    /**
     * Sets the per-rank counts and displacements (in elements) of the running v-form collective: what rank q sends
     * ({@code sendCounts[q]} at {@code sendDispls[q]}) and receives ({@code recvCounts[q]} at {@code recvDispls[q]});
     * arrays a collective does not use may be null. The arrays are read, not copied, during the collective.
     */
    public void layout(int[] sendCounts, int[] sendDispls, int[] recvCounts, int[] recvDispls) {
        this.sendCounts = sendCounts;
        this.sendDispls = sendDispls;
        this.recvCounts = recvCounts;
        this.recvDispls = recvDispls;
    }

    /** Sets the layout of P equal blocks of {@code block} elements, packed, for sending and receiving alike. */
    public void uniformLayout(int block) {
        for (int q = 0; q < size; q++) {
            uniformCounts[q] = block;
            uniformDispls[q] = q * block;
        }
        layout(uniformCounts, uniformDispls, uniformCounts, uniformDispls);
    }

    /** Elements rank q's block sends, by q (see {@link #layout}). */
    public int[] sendCounts() {
        return sendCounts;
    }

    /** Where rank q's send block starts, by q. */
    public int[] sendDispls() {
        return sendDispls;
    }

    /** Elements received from (or, for gathers, belonging to) rank q, by q. */
    public int[] recvCounts() {
        return recvCounts;
    }

    /** Where rank q's received block starts, by q. */
    public int[] recvDispls() {
        return recvDispls;
    }

    /** The transport every message of this communicator travels on. */
    public Transport transport() {
        return transport;
    }

    /** This rank. */
    public int rank() {
        return rank;
    }

    /** Number of ranks. */
    public int size() {
        return size;
    }

    /** The header every message of the running collective carries. */
    public Header header() {
        return header;
    }

    /**
     * The header of one message of a v-form whose two ends alone know its size: the collective's header with
     * {@link Header#block()} set to the message's element count, held in slot {@code slot} (one per message in
     * flight at once; the pool grows as needed) until the collective ends.
     */
    public Header counted(int slot, int count) {
        if (slot >= counted.length) {
            int n = counted.length;
            counted = Arrays.copyOf(counted, Math.max(slot + 1, 2 * n));
            for (int i = n; i < counted.length; i++) {
                counted[i] = new Header();
            }
        }
        return counted[slot].copy(header).block(count);
    }

    /** Largest message the pipelined algorithms send, in bytes. */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** Sets {@link #segmentBytes()} for the running collective. */
    public void segmentBytes(int bytes) {
        this.segmentBytes = bytes;
    }

    /** The base n of the BCube AllReduce's levels for the running collective (0: the smallest that fits). */
    public int bcubeBase() {
        return bcubeBase;
    }

    /** Sets {@link #bcubeBase()} for the running collective. */
    public void bcubeBase(int n) {
        this.bcubeBase = n;
    }

    /** How many segments a pipelined algorithm keeps in flight (at least 2). */
    public int window() {
        return window;
    }

    /** Sets {@link #window()}. */
    public void window(int w) {
        this.window = w;
    }

    /** Receive slot {@code i} (grows the pool as needed). */
    Message recvSlot(int i) {
        if (i >= recvs.length) {
            recvs = grow(recvs, i);
            recvSkipped = Arrays.copyOf(recvSkipped, recvs.length);
        }
        return recvs[i];
    }

    /** Marks receive slot {@code i} as holding nothing to wait for (an empty segment neither side sends). */
    void skipRecv(int i, boolean skipped) {
        recvSlot(i);
        recvSkipped[i] = skipped;
    }

    /** Waits for receive slot {@code i} unless it was skipped. */
    void awaitRecv(int i) {
        if (!recvSkipped[i]) {
            transport.await(recvs[i]);
        }
    }

    /**
     * The next free send slot of the pipelined algorithms' send queue: sends to one peer complete in order, so the
     * queue is reaped from its head ({@link #reapSends}) and drained at the end ({@link #drainSends}).
     */
    Message nextSend() {
        if (sendTail >= sends.length) {
            sends = grow(sends, sendTail);
        }
        return sends[sendTail++];
    }

    /** Frees the completed sends at the head of the queue without blocking. */
    void reapSends() {
        while (sendHead < sendTail && transport.test(sends[sendHead])) {
            sendHead++;
        }
        if (sendHead == sendTail) {
            sendHead = 0;
            sendTail = 0;
        }
    }

    /** Empties the send queue without waiting (the start of a pipelined collective). */
    void resetSends() {
        sendHead = 0;
        sendTail = 0;
    }

    /** Waits for every queued send. */
    void drainSends() {
        try {
            for (int i = sendHead; i < sendTail; i++) {
                transport.await(sends[i]);
            }
        } finally {
            sendHead = 0;
            sendTail = 0;
        }
    }

    private static Message[] grow(Message[] pool, int needed) {
        int n = pool.length;
        Message[] bigger = Arrays.copyOf(pool, Math.max(needed + 1, n * 2));
        for (int i = n; i < bigger.length; i++) {
            bigger[i] = new Message();
        }
        return bigger;
    }

    /** Scratch slot {@code slot} (0 or 1) holding at least {@code count} elements of {@code type}. */
    public ElementBuffer scratch(ElementType type, int count, int slot) {
        switch (type) {
            case DOUBLE:
                if (doubleScratch[slot].length < count) {
                    doubleScratch[slot] = new double[count];
                }
                return ElementBuffer.of(doubleScratch[slot], 0, count);
            case BYTE:
                if (byteScratch[slot].length < count) {
                    byteScratch[slot] = new byte[count];
                }
                return ElementBuffer.of(byteScratch[slot], 0, count);
            case INT:
                if (intScratch[slot].length < count) {
                    intScratch[slot] = new int[count];
                }
                return ElementBuffer.of(intScratch[slot], 0, count);
            case LONG:
                if (longScratch[slot].length < count) {
                    longScratch[slot] = new long[count];
                }
                return ElementBuffer.of(longScratch[slot], 0, count);
            default:
                if (floatScratch[slot].length < count) {
                    floatScratch[slot] = new float[count];
                }
                return ElementBuffer.of(floatScratch[slot], 0, count);
        }
    }

    // ----------------------------------------------------------------- blocking point-to-point helpers

    /** Sends {@code n} elements of {@code b} from {@code off} to {@code peer} and waits. */
    public void send(int peer, ElementBuffer b, int off, int n) {
        Message m = pair[0].send(peer, header, b, off, n);
        transport.post(m);
        transport.await(m);
    }

    /** Receives {@code n} elements from {@code peer} into {@code b} at {@code off}. */
    public void recv(int peer, ElementBuffer b, int off, int n) {
        Message m = pair[1].recv(peer, header, b, off, n);
        transport.post(m);
        transport.await(m);
    }

    /** Receives {@code n} elements from {@code peer} and reduces them into {@code b} at {@code off}. */
    public void recvReduce(int peer, ElementBuffer b, int off, int n, ReduceOp op, boolean incomingFirst) {
        Message m = pair[1].recvReduce(peer, header, b, off, n, op, incomingFirst);
        transport.post(m);
        transport.await(m);
    }

    /**
     * As {@link #sendrecv} for a plain receive, each message carrying its own element count in its header
     * ({@link #counted}), so that ends that disagree on a block's size fail with a mismatch that says so.
     */
    public void sendrecvCounted(int sendPeer, ElementBuffer sb, int soff, int sn, int recvPeer, ElementBuffer rb,
            int roff, int rn) {
        Message r = pair[1].recv(recvPeer, counted(1, rn), rb, roff, rn);
        transport.post(r);
        Message s = pair[0].send(sendPeer, counted(0, sn), sb, soff, sn);
        transport.post(s);
        transport.await(r);
        transport.await(s);
    }

    /** Sends {@code n} elements to {@code peer} with their count in the header ({@link #counted}) and waits. */
    public void sendCounted(int peer, ElementBuffer b, int off, int n) {
        Message m = pair[0].send(peer, counted(0, n), b, off, n);
        transport.post(m);
        transport.await(m);
    }

    /** Receives {@code n} elements from {@code peer}, expecting their count in the header ({@link #counted}). */
    public void recvCounted(int peer, ElementBuffer b, int off, int n) {
        Message m = pair[1].recv(peer, counted(1, n), b, off, n);
        transport.post(m);
        transport.await(m);
    }

    /**
     * Sends to {@code sendPeer} and receives from {@code recvPeer} at the same time (the receive is posted first, so
     * two ranks exchanging with each other never deadlock). With {@code op != null} the received elements are
     * reduced into {@code rb} instead of overwriting it.
     */
    public void sendrecv(int sendPeer, ElementBuffer sb, int soff, int sn, int recvPeer, ElementBuffer rb, int roff,
            int rn, ReduceOp op, boolean incomingFirst) {
        Message r = op == null ? pair[1].recv(recvPeer, header, rb, roff, rn)
                : pair[1].recvReduce(recvPeer, header, rb, roff, rn, op, incomingFirst);
        transport.post(r);
        Message s = pair[0].send(sendPeer, header, sb, soff, sn);
        transport.post(s);
        transport.await(r);
        transport.await(s);
    }
}

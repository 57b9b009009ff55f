package io.ringsgd.gpu;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.RingLayout;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;

/**
 * The segmented ring AllReduce of a device buffer, written against the transport, with its staging: {@code depth}
 * pinned receive slots (each with a device scratch segment), {@code depth} pinned send slots, their events and
 * messages, all allocated once per segment size and reused by every call.
 *
 * <p><b>Layout.</b> As in the host ring: the vector is cut into P chunks (chunk c ends up reduced at rank c) and every
 * chunk into the same number of segments of at most one segment size. At step s (0 ≤ s &lt; 2P−2) rank r sends chunk
 * r−1−s to its right neighbour and receives chunk r−2−s from its left one; steps below P−1 reduce (reduce-scatter),
 * the rest overwrite (all-gather). A unit is one segment of one step; sends and receives both run through the units in
 * order, and the send of unit u carries what receive u−segments brought (step 0 sends the rank's own data).
 *
 * <p><b>Per segment.</b> Send side: device→pinned copy on the copy-out stream (after the event that says the segment
 * has landed), then, once that copy is on the host, the send. Receive side: the receive into a pinned slot, then on
 * the copy-in stream a pinned→device copy (into scratch, then a device reduction into the buffer with the incoming
 * operand first; or straight into the buffer in the all-gather), and events that free the pinned slot and tell the
 * send side the segment has landed. Copies, network and reductions of successive segments overlap: up to
 * {@code depth} receives are posted ahead, the two streams run concurrently, and the host thread only polls.
 *
 * <p><b>No deadlock.</b> Posting receive u needs the receive slot of unit u−depth back (a bounded device copy);
 * staging send v needs the data of receive v−segments on the device and the send slot of unit v−depth free, that is,
 * the right neighbour's receive of it. Every dependency points to an earlier unit, so the ring advances as long as no
 * rank sits blocked on one message while another action of its own is what its neighbours wait for: the host blocks
 * directly only on device work, and on the network it waits for whichever of its oldest receive and oldest send
 * completes first, then runs the loop again.
 *
 * <p><b>Bit-identical.</b> Each chunk is reduced along one fixed path (around the ring, in the same operand order as
 * the host ring) and then only copied, so every rank ends with the same bits, equal to the host ring AllReduce.
 */
final class DeviceRing implements AutoCloseable {
    private final Device device;
    private final DeviceStream copyOut;
    private final DeviceStream copyIn;
    private final int depth;
    /** Capacity of every staging slot, in floats. */
    private final int capacity;

    private final PinnedBuffer[] recvPinned;
    private final ElementBuffer[] recvView;
    private final DeviceBuffer[] scratch;
    private final Message[] recvMsg;
    private final DeviceEvent[] h2d;
    private final DeviceEvent[] landed;
    private final boolean[] h2dPending;

    private final PinnedBuffer[] sendPinned;
    private final ElementBuffer[] sendView;
    private final Message[] sendMsg;
    private final DeviceEvent[] onHost;
    /** The oldest pending receive and send, for {@link Transport#awaitAny}. */
    private final Message[] oldest = new Message[2];

    // Geometry of the running call.
    private int p;
    private int rank;
    private int count;
    private int segments;

    DeviceRing(Device device, DeviceStream copyOut, DeviceStream copyIn, int depth, int capacity) {
        this.device = device;
        this.copyOut = copyOut;
        this.copyIn = copyIn;
        this.depth = depth;
        this.capacity = capacity;
        recvPinned = new PinnedBuffer[depth];
        recvView = new ElementBuffer[depth];
        scratch = new DeviceBuffer[depth];
        recvMsg = new Message[depth];
        h2d = new DeviceEvent[depth];
        landed = new DeviceEvent[depth];
        h2dPending = new boolean[depth];
        sendPinned = new PinnedBuffer[depth];
        sendView = new ElementBuffer[depth];
        sendMsg = new Message[depth];
        onHost = new DeviceEvent[depth];
        try {
            for (int k = 0; k < depth; k++) {
                recvPinned[k] = device.allocatePinned(4 * capacity);
                recvView[k] = ElementBuffer.ofBytes(recvPinned[k].buffer(), ElementType.FLOAT, 0, capacity);
                scratch[k] = device.allocate(capacity);
                recvMsg[k] = new Message();
                h2d[k] = device.createEvent();
                landed[k] = device.createEvent();
                sendPinned[k] = device.allocatePinned(4 * capacity);
                sendView[k] = ElementBuffer.ofBytes(sendPinned[k].buffer(), ElementType.FLOAT, 0, capacity);
                sendMsg[k] = new Message();
                onHost[k] = device.createEvent();
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Largest segment, in floats, this staging holds. */
    int capacity() {
        return capacity;
    }

    // ----------------------------------------------------------------------------------------- geometry

    /** First element (relative to the call's offset) of segment {@code seg} of chunk {@code c}; seg may be segments. */
    private int segmentStart(int c, int seg) {
        return RingLayout.segmentStart(count, p, c, seg, segments);
    }

    private int recvChunk(int unit) {
        return Math.floorMod(rank - 2 - unit / segments, p);
    }

    private int sendChunk(int unit) {
        return Math.floorMod(rank - 1 - unit / segments, p);
    }

    private int start(int chunk, int unit) {
        return segmentStart(chunk, unit % segments);
    }

    private int length(int chunk, int unit) {
        int j = unit % segments;
        return segmentStart(chunk, j + 1) - segmentStart(chunk, j);
    }

    // ----------------------------------------------------------------------------------------- the ring

    /**
     * AllReduces {@code n} floats of {@code buf} from {@code off} in place with {@code op} (SUM, PROD, MIN or MAX) over
     * the context's transport, in segments of at most {@code segFloats} (every rank must use the same; the largest
     * segment of this call must fit {@link #capacity()}). {@code ready} marks the caller's work that must finish before the buffer is read. On return
     * the copy-in stream still holds the last reductions; the caller synchronizes it.
     */
    void run(CollectiveContext ctx, DeviceBuffer buf, int off, int n, ReduceOp op, DeviceEvent ready,
            int segFloats) {
        p = ctx.size();
        rank = ctx.rank();
        count = n;
        segments = RingLayout.segments(n, p, 4, 4 * segFloats);
        int longest = RingLayout.chunkLength(n, p, 0);
        if ((longest + segments - 1) / segments > capacity) {
            throw new IllegalStateException("segments of up to " + segFloats + " floats do not fit the staging of "
                    + capacity);
        }
        Transport t = ctx.transport();
        int right = (rank + 1) % p;
        int left = (rank - 1 + p) % p;
        int units = (2 * p - 2) * segments;
        int reduceUnits = (p - 1) * segments;
        copyOut.waitFor(ready);
        copyIn.waitFor(ready);
        java.util.Arrays.fill(h2dPending, false);

        int posted = 0;   // receives posted
        int done = 0;     // receives landed on the device (copy enqueued)
        int staged = 0;   // sends whose device→host copy is enqueued
        int sent = 0;     // sends posted
        int retired = 0;  // sends completed
        while (done < units || retired < units) {
            boolean moved = false;

            while (posted < units && posted - done < depth) {
                int k = posted % depth;
                int len = length(recvChunk(posted), posted);
                if (len > 0) {
                    if (h2dPending[k]) {
                        if (!h2d[k].isComplete()) {
                            break;
                        }
                        h2dPending[k] = false;
                    }
                    t.post(recvMsg[k].recv(left, ctx.header(), recvView[k], 0, len));
                }
                posted++;
                moved = true;
            }

            while (done < posted) {
                int k = done % depth;
                int c = recvChunk(done);
                int len = length(c, done);
                if (len > 0) {
                    if (!t.test(recvMsg[k])) {
                        break;
                    }
                    int at = off + start(c, done);
                    if (done < reduceUnits) {
                        device.copyFromHost(recvPinned[k].buffer(), 0, scratch[k], 0, len, copyIn);
                        h2d[k].record(copyIn);
                        device.reduce(scratch[k], 0, buf, at, len, op, copyIn);
                    } else {
                        device.copyFromHost(recvPinned[k].buffer(), 0, buf, at, len, copyIn);
                        h2d[k].record(copyIn);
                    }
                    landed[k].record(copyIn);
                    h2dPending[k] = true;
                }
                done++;
                moved = true;
            }

            while (staged < units && staged - retired < depth && (staged < segments || staged - segments < done)) {
                int c = sendChunk(staged);
                int len = length(c, staged);
                if (len > 0) {
                    int k = staged % depth;
                    if (staged >= segments) {
                        // The segment landed with receive staged−segments (or a later one on the same stream).
                        copyOut.waitFor(landed[(staged - segments) % depth]);
                    }
                    device.copyToHost(buf, off + start(c, staged), sendPinned[k].buffer(), 0, len, copyOut);
                    onHost[k].record(copyOut);
                }
                staged++;
                moved = true;
            }

            while (sent < staged) {
                int k = sent % depth;
                int len = length(sendChunk(sent), sent);
                if (len > 0) {
                    if (!onHost[k].isComplete()) {
                        break;
                    }
                    t.post(sendMsg[k].send(right, ctx.header(), sendView[k], 0, len));
                }
                sent++;
                moved = true;
            }

            while (retired < sent) {
                int k = retired % depth;
                if (length(sendChunk(retired), retired) > 0 && !t.test(sendMsg[k])) {
                    break;
                }
                retired++;
                moved = true;
            }

            if (!moved) {
                waitForProgress(t, units, posted, done, staged, sent, retired);
            }
        }
    }

    /**
     * Waits until something can move. Device work is bounded (it needs nothing from the network), so the host blocks
     * on it directly: the device→host copy that gates the next send, or the host→device copy that frees the next
     * receive slot. Network work is different: the next receive and the oldest send each may need this rank's loop to
     * run again (to stage a send once a slot frees, or to post a receive), so the host never blocks on one of them
     * alone but waits for whichever completes first ({@link Transport#awaitAny}).
     */
    private void waitForProgress(Transport t, int units, int posted, int done, int staged, int sent, int retired) {
        if (sent < staged) {
            onHost[sent % depth].synchronize();
            return;
        }
        if (posted < units && posted - done < depth) {
            h2d[posted % depth].synchronize();
            return;
        }
        Message r = done < posted ? recvMsg[done % depth] : null;
        Message s = retired < sent ? sendMsg[retired % depth] : null;
        if (r == null && s == null) {
            throw new IllegalStateException("device ring stalled at rank " + rank + ": units " + units + ", posted "
                    + posted + ", done " + done + ", staged " + staged + ", sent " + sent + ", retired " + retired);
        }
        // The transport waits for whichever completes first, and names a dead or stalled peer.
        oldest[0] = r;
        oldest[1] = s;
        t.awaitAny(oldest, 2);
    }

    /** Waits for both streams, swallowing failures: used after an error, before the error is reported. */
    void quiesce() {
        try {
            copyOut.synchronize();
        } catch (RuntimeException e) {
            // Reported by the caller's original failure.
        }
        try {
            copyIn.synchronize();
        } catch (RuntimeException e) {
            // Same.
        }
    }

    @Override
    public void close() {
        for (int k = 0; k < depth; k++) {
            free(recvPinned[k]);
            free(sendPinned[k]);
            if (scratch[k] != null) {
                scratch[k].free();
            }
            close(h2d[k]);
            close(landed[k]);
            close(onHost[k]);
        }
    }

    private static void free(PinnedBuffer b) {
        if (b != null) {
            b.free();
        }
    }

    private static void close(DeviceEvent e) {
        if (e != null) {
            e.close();
        }
    }
}

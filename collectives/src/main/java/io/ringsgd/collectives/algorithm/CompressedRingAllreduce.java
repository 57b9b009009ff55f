package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Ring AllReduce (SUM) of floats whose traffic is compressed ({@link Compression#FP16}, {@link Compression#INT8}).
 * In the reduce-scatter every hop decodes the incoming partial sum, adds its own elements and re-encodes the result
 * for the next hop. The owner of each finished chunk encodes it once, replaces its own copy by the decoding of those
 * bytes, and the all-gather forwards the same bytes unchanged, so every rank decodes identical bytes and ends
 * bit-identical. Every encoding can report what it dropped (x − decode(encode(x))) into the caller's sink; summed over
 * the ranks, the sinks are exactly what the result lacks (the input of error feedback). Segments stream as in {@link RingPipeline}: a segment is forwarded as soon as it has been decoded,
 * reduced and re-encoded.
 *
 * <p>Cost for n floats of 4 bytes on P ranks, with c bytes per element on the wire:
 * 2(P−1)·α + 2·(P−1)/P·n·c·β + (P−1)/P·n·γ + (2P−1)/P·n·δ, where δ is the per-element codec time. Each encoded
 * chunk of the reduce-scatter, the reduce-scatter input and the all-gather has its own slot in one direct buffer,
 * written once per call, so no send source is ever overwritten while in flight.
 */
public final class CompressedRingAllreduce {
    /** The current call's wire (CodecWork's), for the run's messages. */
    private ByteBuffer wire;
    private ElementBuffer wireBytes;
    private int[] segmentBytes = new int[0];
    private final CodecWork work = new CodecWork();

    /**
     * In-place SUM of {@code data} (floats) across the group, with traffic encoded by {@code compression}; if
     * {@code lost} is not null, what this rank's encodings dropped is added into it (element i at index i).
     */
    public void allreduce(CollectiveContext ctx, ElementBuffer data, Compression compression, float[] lost) {
        Codec codec = work.open(ctx, data, compression);
        if (codec == null) {
            return;
        }
        int p = ctx.size();
        int n = data.count();
        int segments = RingLayout.segments(n, p, 4, ctx.segmentBytes());
        int region = layout(codec, n, p, segments);
        work.ensureWire(3L * region);
        wire = work.wire;
        wireBytes = work.wireBytes;
        new Run(ctx, codec, work.array, work.base, n, segments, region, lost).run();
        work.close(data);
    }

    /** Fills {@link #segmentBytes} with each (chunk, segment)'s byte offset in a region; returns the region size. */
    private int layout(Codec codec, int n, int p, int segments) {
        int stride = segments + 1;
        if (segmentBytes.length < p * stride) {
            segmentBytes = new int[p * stride];
        }
        long off = 0;
        for (int c = 0; c < p; c++) {
            for (int j = 0; j < segments; j++) {
                segmentBytes[c * stride + j] = (int) off;
                int len = RingLayout.segmentStart(n, p, c, j + 1, segments)
                        - RingLayout.segmentStart(n, p, c, j, segments);
                off += codec.encodedBytes(len);
            }
            segmentBytes[c * stride + segments] = (int) off;
        }
        if (off > Integer.MAX_VALUE / 3) {
            throw new IllegalArgumentException("vector too large for a compressed allreduce: " + n + " floats");
        }
        return (int) off;
    }

    /** One call's state. */
    private final class Run {
        private final CollectiveContext ctx;
        private final Transport t;
        private final Codec codec;
        private final float[] arr;
        private final int base;
        private final int n;
        private final int p;
        private final int rel;
        private final int segments;
        private final int rsSend;
        private final int rsRecv;
        private final int ag;
        private final float[] lost;

        Run(CollectiveContext ctx, Codec codec, float[] arr, int base, int n, int segments, int region,
                float[] lost) {
            this.lost = lost;
            this.ctx = ctx;
            this.t = ctx.transport();
            this.codec = codec;
            this.arr = arr;
            this.base = base;
            this.n = n;
            this.p = ctx.size();
            this.rel = ctx.rank();
            this.segments = segments;
            this.rsSend = 0;
            this.rsRecv = region;
            this.ag = 2 * region;
        }

        private int start(int c, int j) {
            return RingLayout.segmentStart(n, p, c, j, segments);
        }

        private int len(int c, int j) {
            return start(c, j + 1) - start(c, j);
        }

        private int at(int region, int c, int j) {
            return region + segmentBytes[c * (segments + 1) + j];
        }

        void run() {
            int right = (rel + 1) % p;
            int left = (rel - 1 + p) % p;
            int steps = 2 * p - 2;
            int units = steps * segments;
            int window = Math.max(2, ctx.window());
            ctx.resetSends();
            int own = Math.floorMod(rel - 1, p);
            for (int j = 0; j < segments; j++) {
                int len = len(own, j);
                if (len > 0) {
                    codec.encode(arr, base + start(own, j), len, wire, at(rsSend, own, j), lost, start(own, j));
                    send(right, at(rsSend, own, j), codec.encodedBytes(len));
                }
            }
            int posted = 0;
            for (int u = 0; u < units; u++) {
                while (posted < units && posted < u + window) {
                    int s = posted / segments;
                    int j = posted % segments;
                    int c = Math.floorMod(rel - 2 - s, p);
                    int len = len(c, j);
                    ctx.skipRecv(posted % window, len == 0);
                    if (len > 0) {
                        Message m = ctx.recvSlot(posted % window).recv(left, ctx.header(), wireBytes,
                                at(s < p - 1 ? rsRecv : ag, c, j), codec.encodedBytes(len));
                        t.post(m);
                    }
                    posted++;
                }
                ctx.awaitRecv(u % window);
                int s = u / segments;
                int j = u % segments;
                int c = Math.floorMod(rel - 2 - s, p);
                int len = len(c, j);
                if (len > 0) {
                    process(s, c, j, len, right, steps);
                }
                ctx.reapSends();
            }
            ctx.drainSends();
        }

        private void process(int s, int c, int j, int len, int right, int steps) {
            int from = base + start(c, j);
            int bytes = codec.encodedBytes(len);
            if (s < p - 1) {
                codec.decode(wire, at(rsRecv, c, j), arr, from, len, true);
                if (s + 1 < p - 1) {
                    codec.encode(arr, from, len, wire, at(rsSend, c, j), lost, from - base);
                    send(right, at(rsSend, c, j), bytes);
                } else {
                    // This rank owns chunk c: encode it once and keep exactly what the others will decode.
                    codec.encode(arr, from, len, wire, at(ag, c, j), lost, from - base);
                    codec.decode(wire, at(ag, c, j), arr, from, len, false);
                    send(right, at(ag, c, j), bytes);
                }
            } else {
                codec.decode(wire, at(ag, c, j), arr, from, len, false);
                if (s + 1 < steps) {
                    send(right, at(ag, c, j), bytes);
                }
            }
        }

        private void send(int right, int at, int bytes) {
            t.post(ctx.nextSend().send(right, ctx.header(), wireBytes, at, bytes));
        }
    }
}

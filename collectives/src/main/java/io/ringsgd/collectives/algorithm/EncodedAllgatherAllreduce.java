package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.SparseTernaryCodec;
import java.nio.ByteBuffer;

/**
 * AllReduce (SUM) of floats for the low-bit formats ({@link Compression#gathersEncodings()}): every rank encodes its
 * own vector once, a ring all-gather hands every rank the P encodings unchanged, and every rank decodes them and adds
 * them up in rank order 0, 1, …, P−1. No partial sum is ever re-quantised (a ring that re-encodes at every hop would
 * add P−1 quantisation errors of sums, each as large as the error of a 1- or 2-bit code), and since every rank decodes
 * the same bytes in the same order, every rank ends bit-identical. What a rank's one encoding dropped
 * (x − decode(encode(x))) goes into the caller's sink, so the sinks of all ranks add up to the exact sum minus the
 * result: the input of exact error feedback.
 *
 * <p>Cost for n floats on P ranks with c bytes per element on the wire (c = 0.27 for 2bit, 0.14 for 1bit):
 * (P−1)·α + (P−1)·n·c·β + n·ε + P·n·δ, where ε is the per-element encode time and δ the per-element decode-and-add
 * time. Each rank sends (P−1)·n·c bytes, against 2·(P−1)/P·n·c for a ring of the same format: the price of never
 * re-quantising, worth it while c is small. Variable-length encodings (ternary: c depends on the values) first
 * all-gather their P lengths, 4 bytes each, then the encodings as an all-gather-v: (P−1)·α more, and each rank sends
 * the sum of the other ranks' actual lengths rather than a worst case. Nothing is allocated per call once the wire
 * buffer has grown to the vector's size.
 */
public final class EncodedAllgatherAllreduce {
    /** The first {@code P·e} bytes of the wire, kept while the wire and the size stay (the usual case: one model). */
    private ElementBuffer gathered;
    private ElementBuffer gatheredFrom;
    /** Variable lengths: the first 4·P bytes of the wire, and the all-gather-v's counts and displacements (bytes). */
    private ElementBuffer lengths;
    private ElementBuffer lengthsFrom;
    private int[] counts = new int[0];
    private int[] displs = new int[0];
    private final CodecWork work = new CodecWork();

    /**
     * In-place SUM of {@code data} (floats) across the group, each rank's contribution encoded once by the options'
     * compression (with its ternary threshold); what this rank's encoding dropped is added into the options' sink if
     * it has one.
     */
    public void allreduce(CollectiveContext ctx, ElementBuffer data, CollectiveOptions options) {
        Codec codec = work.open(ctx, data, options.compression());
        if (codec == null) {
            return;
        }
        if (codec instanceof SparseTernaryCodec) {
            ((SparseTernaryCodec) codec).threshold(options.ternaryThreshold());
        }
        float[] lost = options.quantizationError();
        int p = ctx.size();
        int n = data.count();
        long block = codec.encodedBytes(n);
        int head = codec.variableLength() ? 4 * p : 0;
        if (block * p + head > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("vector too large for an encoded all-gather: " + n + " floats on "
                    + p + " ranks");
        }
        int e = (int) block;
        work.ensureWire((long) e * p + head);
        ByteBuffer wire = work.wire;
        float[] arr = work.array;
        int base = work.base;
        codec.encode(arr, base, n, wire, head + ctx.rank() * e, lost, 0);
        if (head == 0) {
            if (gathered == null || gathered.count() != e * p || gatheredFrom != work.wireBytes) {
                gatheredFrom = work.wireBytes;
                gathered = gatheredFrom.slice(0, e * p);
            }
            RingAllgather.allgather(ctx, gathered);
            for (int r = 0; r < p; r++) {
                codec.decode(wire, r * e, arr, base, n, r > 0);
            }
        } else {
            gatherVariable(ctx, codec, wire, head, e, n);
            for (int r = 0; r < p; r++) {
                codec.decode(wire, displs[r], arr, base, n, r > 0);
            }
        }
        work.close(data);
    }

    /** All-gathers the P encodings of at most {@code e} bytes each, placed at {@code head + r·e}: lengths first. */
    private void gatherVariable(CollectiveContext ctx, Codec codec, ByteBuffer wire, int head, int e, int n) {
        int p = ctx.size();
        int r = ctx.rank();
        if (counts.length != p) {
            counts = new int[p];
            displs = new int[p];
        }
        if (lengths == null || lengths.count() != head || lengthsFrom != work.wireBytes) {
            lengthsFrom = work.wireBytes;
            lengths = lengthsFrom.slice(0, head);
        }
        wire.putInt(4 * r, codec.encodedLength(wire, head + r * e, n));
        RingAllgather.allgather(ctx, lengths);
        for (int q = 0; q < p; q++) {
            int len = wire.getInt(4 * q);
            if (len < 0 || len > e) {
                throw new IllegalStateException("rank " + q + " announced an encoding of " + len + " bytes for " + n
                        + " floats, at most " + e + " are possible: corrupt, or the ranks disagree on the format");
            }
            counts[q] = len;
            displs[q] = head + q * e;
        }
        RingAllgatherv.allgatherv(ctx, work.wireBytes, counts, displs);
    }
}

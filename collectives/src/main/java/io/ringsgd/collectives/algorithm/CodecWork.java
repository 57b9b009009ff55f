package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * What a codec-based AllReduce keeps between calls: one codec per compression (codecs are not shared between
 * threads), the direct wire buffer of the encodings, and the float array it works on, which is the caller's own array
 * or, for buffers without one, a reused copy. Not thread-safe: one per communicator.
 */
final class CodecWork {
    private final Codec[] codecs = new Codec[Compression.values().length];
    private float[] copy = new float[0];
    /** The array of the current call and the index of its element 0. */
    float[] array;
    int base;
    /** Encodings, little-endian; grown by {@link #ensureWire}, never shrunk. */
    ByteBuffer wire = ByteBuffer.allocateDirect(0);
    /** The whole {@link #wire} as bytes, for messages. */
    ElementBuffer wireBytes = ElementBuffer.ofBytes(wire, ElementType.BYTE, 0, 0);

    /**
     * Starts a call: tags the header with the compression (ranks that disagree on it fail with a mismatch), and
     * returns null if there is nothing to do (one rank, or no element); otherwise points {@link #array} and
     * {@link #base} at {@code data}'s floats (copying them if it has no array) and returns this owner's codec for
     * {@code c}, made on first use. A call that did not return null ends with {@link #close}.
     */
    Codec open(CollectiveContext ctx, ElementBuffer data, Compression c) {
        ctx.header().variant(c.ordinal());
        int n = data.count();
        if (ctx.size() == 1 || n == 0) {
            return null;
        }
        Codec codec = codecs[c.ordinal()];
        if (codec == null) {
            codec = Codecs.create(c);
            codecs[c.ordinal()] = codec;
        }
        array = data.floatArray();
        base = data.arrayOffset();
        if (array == null) {
            if (copy.length < n) {
                copy = new float[n];
            }
            data.copyTo(0, ElementBuffer.of(copy, 0, n), 0, n);
            array = copy;
            base = 0;
        }
        return codec;
    }

    /** Makes {@link #wire} hold at least {@code bytes}. */
    void ensureWire(long bytes) {
        if (wire.capacity() < bytes) {
            wire = ByteBuffer.allocateDirect((int) Math.max(bytes, Math.min(Integer.MAX_VALUE, 2L * wire.capacity())))
                    .order(ByteOrder.LITTLE_ENDIAN);
            wireBytes = ElementBuffer.ofBytes(wire, ElementType.BYTE, 0, wire.capacity());
        }
    }

    /** Writes the result back into {@code data} if {@link #open} had to copy it. */
    void close(ElementBuffer data) {
        if (array == copy) {
            int n = data.count();
            ElementBuffer.of(copy, 0, n).copyTo(0, data, 0, n);
        }
        array = null;
    }
}

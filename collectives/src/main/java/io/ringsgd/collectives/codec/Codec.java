package io.ringsgd.collectives.codec;

import java.nio.ByteBuffer;

/**
 * A lossy encoding of float vectors for the compressed ring AllReduce. Encoding is deterministic, so ranks that decode
 * the same bytes get the same floats bit for bit. Byte offsets are absolute indices into little-endian buffers.
 * Instances keep staging arrays and are not thread-safe: take one per thread from {@link Codecs#create}.
 */
public interface Codec {

    /**
     * Bytes that {@link #encode} writes for {@code n} elements; for a {@link #variableLength()} codec the most it may
     * write, which is what a receiver reserves.
     */
    int encodedBytes(int n);

    /** Whether encodings of the same count differ in length (then {@link #encodedLength} tells each one's). */
    default boolean variableLength() {
        return false;
    }

    /** Bytes of the encoding of {@code n} elements at byte {@code at} of {@code src}. */
    default int encodedLength(ByteBuffer src, int at, int n) {
        return encodedBytes(n);
    }

    /** Encodes {@code src[off, off+n)} at byte {@code at} of {@code dst}. */
    default void encode(float[] src, int off, int n, ByteBuffer dst, int at) {
        encode(src, off, n, dst, at, null, 0);
    }

    /**
     * Encodes {@code src[off, off+n)} at byte {@code at} of {@code dst} and, if {@code lost} is not null, adds what
     * the encoding dropped, {@code src[off+i] − decode(...)[i]}, into {@code lost[lostOff+i]}.
     */
    void encode(float[] src, int off, int n, ByteBuffer dst, int at, float[] lost, int lostOff);

    /** Decodes {@code n} elements from byte {@code at} of {@code src} into {@code dst[off..]}, adding if asked. */
    void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate);

    /**
     * What the receivers would see of {@code src}: {@code out[i] = decode(encode(src))[i]} (for error feedback: the
     * residual {@code src - out} is what this rank's contribution lost).
     */
    void roundTrip(float[] src, int off, int n, float[] out, int outOff);
}

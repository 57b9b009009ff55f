package io.ringsgd.collectives.codec;

/**
 * Blockwise linear 8-bit quantization: each block of {@value #BLOCK} elements is stored as one float scale
 * (max |x| / 127) followed by one signed byte per element, q = round(x / scale) (ties to even). About 1.02 bytes per
 * element; the error of an element is at most half a step, scale / 2. A block whose largest magnitude is below
 * 127 · {@link Float#MIN_NORMAL} (about 1.5e-36) is sent as zeros. A block that holds a NaN or an infinity has a NaN
 * or infinite scale, so every element of it decodes to NaN: one NaN or infinity turns its whole block into NaNs
 * (other blocks are unaffected; {@link Fp16Codec} keeps special values element by element).
 *
 * <p>The loops are written so that HotSpot's C2 vectorizes them: rounding is done in float arithmetic (adding and
 * subtracting 1.5 · 2<sup>23</sup>, which leaves the integer part in the low mantissa bits), clamping with
 * {@code Math.min/max}, no branches per element (the README has the JMH numbers of {@code KernelBenchmark.int8*}).
 *
 * <p>Byte offsets are absolute and the layout little-endian whatever the buffer's order. An instance keeps a staging
 * array: it is not thread-safe; take one per thread from
 * {@link Codecs#create}.
 */
public final class Int8Codec extends BlockCodec {
    /** Elements per scale. */
    public static final int BLOCK = 256;

    /** 1.5 · 2^23: for |y| < 2^22, y + MAGIC rounds y to an integer held in the low bits of the float. */
    private static final float MAGIC = 0x1.8p23f;
    private static final float LOW = MAGIC - 127f;
    private static final float HIGH = MAGIC + 127f;
    private static final float SMALLEST_MAX = 127f * Float.MIN_NORMAL;

    /** A codec with its own staging array (prefer {@link Codecs#create}). */
    public Int8Codec() {
        super(BLOCK, 8);
    }

    static int bytes(int n) {
        return bytes(n, BLOCK, 8);
    }

    @Override
    void encodeBlock(float[] src, int from, int m, byte[] st, int k, float[] lost, int l) {
        float scale = scaleOf(src, from, m);
        float inv = scale == 0f ? 0f : 1f / scale;
        FLOAT_LE.set(st, k, scale);
        int q = k + 4;
        for (int i = 0; i < m; i++) {
            // The low byte of the float's bits is the two's complement of the rounded, clamped value.
            st[q + i] = (byte) Float.floatToRawIntBits(Math.max(LOW, Math.min(HIGH, src[from + i] * inv + MAGIC)));
        }
        if (lost != null) {
            // What the receivers will decode, q · scale, computed as decode computes it.
            for (int i = 0; i < m; i++) {
                lost[l + i] += src[from + i] - st[q + i] * scale;
            }
        }
    }

    /** max |x| / 127 of the block, or 0 when that is too small for its reciprocal to be finite. */
    private static float scaleOf(float[] src, int from, int m) {
        float max = 0f;
        for (int i = 0; i < m; i++) {
            max = Math.max(max, Math.abs(src[from + i]));
        }
        return max < SMALLEST_MAX ? 0f : max / 127f;
    }

    @Override
    void decodeBlock(byte[] st, int k, float[] dst, int d, int m, boolean accumulate) {
        float scale = (float) FLOAT_LE.get(st, k);
        int q = k + 4;
        if (accumulate) {
            for (int i = 0; i < m; i++) {
                dst[d + i] += st[q + i] * scale;
            }
        } else {
            for (int i = 0; i < m; i++) {
                dst[d + i] = st[q + i] * scale;
            }
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            int from = off + b;
            int to = outOff + b;
            float scale = scaleOf(src, from, m);
            float inv = scale == 0f ? 0f : 1f / scale;
            for (int i = 0; i < m; i++) {
                // (rounded + MAGIC) − MAGIC is exactly the integer encode stores, so this equals decode(encode(x)).
                out[to + i] = (Math.max(LOW, Math.min(HIGH, src[from + i] * inv + MAGIC)) - MAGIC) * scale;
            }
        }
    }
}

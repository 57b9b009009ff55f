package io.ringsgd.collectives.codec;

/**
 * Two bits per element, ternary levels {−s, 0, +s}: each block of {@value #BLOCK} elements is stored as one float
 * scale s followed by a 2-bit code per element (element 4k+i in bits 2i and 2i+1 of byte k; 0 = zero, 1 = +s,
 * 2 = −s). Elements whose magnitude exceeds the threshold t = 0.7 · mean|x| of the block take ±s, the others 0, and s
 * is the mean magnitude of those above t (the choice of ternary weight networks, which nearly minimises the squared
 * error for bell-shaped values). 68 bytes per 256 elements (0.27 bytes, 15.1× fewer than a float). The error of an
 * element is at most max(t, |x| − s); error feedback carries it to the next step. A NaN or an infinity in a block
 * makes its threshold NaN or infinite, so nothing passes it and the whole block decodes to zeros (the sink, if any,
 * receives the NaN or infinity).
 *
 * <p>Byte offsets are absolute and the layout little-endian whatever the buffer's order. An instance keeps a staging
 * array: it is not thread-safe; take one per thread from {@link Codecs#create}.
 */
public final class TernaryCodec extends BlockCodec {
    /** Elements per scale. */
    public static final int BLOCK = 256;
    /** The threshold as a fraction of the block's mean magnitude. */
    static final float THRESHOLD = 0.7f;

    /** The two scalars of the block being coded: threshold, scale. */
    private float threshold;
    private float scale;
    private final TernaryLevels block = new TernaryLevels();
    /** Table of the values of codes 0..3 for the current block: decoding looks values up instead of branching. */
    private final float[] levels = new float[4];

    /** A codec with its own staging array (prefer {@link Codecs#create}). */
    public TernaryCodec() {
        super(BLOCK, 2);
    }

    static int bytes(int n) {
        return bytes(n, BLOCK, 2);
    }

    /** Sets {@link #threshold} and {@link #scale} for the block. */
    private void thresholdAndScale(float[] src, int from, int m) {
        block.select(src, from, m, THRESHOLD);
        threshold = block.threshold;
        scale = block.scale;
    }

    /** The code of x: 0, 1 (+s) or 2 (−s). */
    private static int code(float x, float t) {
        int in = Math.abs(x) > t ? 1 : 0;
        return in + (in & (Float.floatToRawIntBits(x) >>> 31));
    }

    /** The values of codes 0 to 3 (0, s, −s; 3 is never written), set per block by {@link #levelsOf}. */
    private float[] levelsOf(float s) {
        float[] v = levels;
        v[1] = s;
        v[2] = -s;
        return v;
    }

    @Override
    void encodeBlock(float[] src, int from, int m, byte[] st, int k, float[] lost, int l) {
        thresholdAndScale(src, from, m);
        float t = threshold;
        float s = scale;
        FLOAT_LE.set(st, k, s);
        int q = k + 4;
        int whole = m / 4;
        for (int y = 0; y < whole; y++) {
            int e = from + 4 * y;
            st[q + y] = (byte) (code(src[e], t) | code(src[e + 1], t) << 2 | code(src[e + 2], t) << 4
                    | code(src[e + 3], t) << 6);
        }
        if (whole * 4 < m) {
            int bits = 0;
            for (int i = whole * 4; i < m; i++) {
                bits |= code(src[from + i], t) << (2 * (i & 3));
            }
            st[q + whole] = (byte) bits;
        }
        if (lost != null) {
            float[] lv = levelsOf(s);
            for (int i = 0; i < m; i++) {
                float x = src[from + i];
                lost[l + i] += x - lv[code(x, t)];
            }
        }
    }

    @Override
    void decodeBlock(byte[] st, int k, float[] dst, int d, int m, boolean accumulate) {
        float[] lv = levelsOf((float) FLOAT_LE.get(st, k));
        int q = k + 4;
        for (int i = 0; i < m; i++) {
            float v = lv[(st[q + (i >>> 2)] >>> (2 * (i & 3))) & 3];
            if (accumulate) {
                dst[d + i] += v;
            } else {
                dst[d + i] = v;
            }
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        block.roundTrip(src, off, n, out, outOff, BLOCK, THRESHOLD);
    }
}

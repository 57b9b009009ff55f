package io.ringsgd.collectives.codec;

/**
 * One bit per element: each block of {@value #BLOCK} elements is stored as one float scale s, the mean magnitude of
 * the block, followed by one sign bit per element (bit i of byte k is element 8k+i, 1 = negative; zero and −0 take the
 * sign of their bits); an element decodes to +s or −s. 36 bytes per 256 elements (0.14 bytes, 28.4× fewer than a
 * float). The error of an element is |x − ±s|, at most max(s, max|x| − s) in its block; error feedback carries it to
 * the next step. A NaN or an infinity in a block makes its scale NaN or infinite, so the whole block decodes to NaN or
 * infinities.
 *
 * <p>Byte offsets are absolute and the layout little-endian whatever the buffer's order. An instance keeps a staging
 * array: it is not thread-safe; take one per thread from {@link Codecs#create}.
 */
public final class SignCodec extends BlockCodec {
    /** Elements per scale. */
    public static final int BLOCK = 256;

    /** A codec with its own staging array (prefer {@link Codecs#create}). */
    public SignCodec() {
        super(BLOCK, 1);
    }

    static int bytes(int n) {
        return bytes(n, BLOCK, 1);
    }

    /** Mean |x| of the block, summed in index order. */
    private static float scaleOf(float[] src, int from, int m) {
        float sum = 0f;
        for (int i = 0; i < m; i++) {
            sum += Math.abs(src[from + i]);
        }
        return sum / m;
    }

    /** The sign bit of x: 1 for negative (and −0, and NaNs with the sign bit set). */
    private static int sign(float x) {
        return Float.floatToRawIntBits(x) >>> 31;
    }

    @Override
    void encodeBlock(float[] src, int from, int m, byte[] st, int k, float[] lost, int l) {
        float scale = scaleOf(src, from, m);
        FLOAT_LE.set(st, k, scale);
        int q = k + 4;
        int whole = m / 8;
        for (int y = 0; y < whole; y++) {
            int e = from + 8 * y;
            st[q + y] = (byte) (sign(src[e]) | sign(src[e + 1]) << 1 | sign(src[e + 2]) << 2 | sign(src[e + 3]) << 3
                    | sign(src[e + 4]) << 4 | sign(src[e + 5]) << 5 | sign(src[e + 6]) << 6 | sign(src[e + 7]) << 7);
        }
        if (whole * 8 < m) {
            int bits = 0;
            for (int i = whole * 8; i < m; i++) {
                bits |= sign(src[from + i]) << (i & 7);
            }
            st[q + whole] = (byte) bits;
        }
        if (lost != null) {
            // What the receivers decode: the scale with the element's sign bit, exactly as decodeBlock builds it.
            for (int i = 0; i < m; i++) {
                lost[l + i] += src[from + i] - Math.copySign(scale, src[from + i]);
            }
        }
    }

    @Override
    void decodeBlock(byte[] st, int k, float[] dst, int d, int m, boolean accumulate) {
        float scale = (float) FLOAT_LE.get(st, k);
        int q = k + 4;
        for (int i = 0; i < m; i++) {
            float v = Math.copySign(scale, 0.5f - ((st[q + (i >>> 3)] >>> (i & 7)) & 1));
            if (accumulate) {
                dst[d + i] += v;
            } else {
                dst[d + i] = v;
            }
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            float scale = scaleOf(src, off + b, m);
            for (int i = 0; i < m; i++) {
                out[outOff + b + i] = Math.copySign(scale, src[off + b + i]);
            }
        }
    }
}

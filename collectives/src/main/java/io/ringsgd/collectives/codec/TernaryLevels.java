package io.ringsgd.collectives.codec;

/**
 * The threshold and level of a ternary block, shared by {@link TernaryCodec} and {@link SparseTernaryCodec}: elements
 * whose magnitude exceeds t = λ · mean|x| of the block take ±s, s the mean magnitude of those, the others 0. Sums run in
 * index order, so every rank computes the same t and s from the same values. A mutable holder, reused per block: not
 * thread-safe.
 */
final class TernaryLevels {
    /** The block's threshold t. */
    float threshold;
    /** The block's level s (0 when nothing passes t). */
    float scale;
    /** How many elements pass t. */
    int count;

    /** Sets {@link #threshold}, {@link #scale} and {@link #count} for {@code src[from, from+m)} at λ = {@code lambda}. */
    void select(float[] src, int from, int m, float lambda) {
        float sum = 0f;
        for (int i = 0; i < m; i++) {
            sum += Math.abs(src[from + i]);
        }
        float t = lambda * (sum / m);
        float above = 0f;
        int c = 0;
        for (int i = 0; i < m; i++) {
            // Branch-free (adding +0 changes no sum): C2 compiles the selects to conditional moves.
            float a = Math.abs(src[from + i]);
            boolean in = a > t;
            above += in ? a : 0f;
            c += in ? 1 : 0;
        }
        threshold = t;
        count = c;
        scale = c == 0 ? 0f : above / c;
    }

    /**
     * What receivers decode of {@code src[off, off+n)} coded in blocks of {@code block} at λ = {@code lambda}: ±s
     * (the sign of x) above each block's threshold, 0 elsewhere, into {@code out[outOff..]}.
     */
    void roundTrip(float[] src, int off, int n, float[] out, int outOff, int block, float lambda) {
        for (int b = 0; b < n; b += block) {
            int m = Math.min(block, n - b);
            select(src, off + b, m, lambda);
            float t = threshold;
            float s = scale;
            for (int i = 0; i < m; i++) {
                float x = src[off + b + i];
                out[outOff + b + i] = Math.abs(x) > t ? (Float.floatToRawIntBits(x) < 0 ? -s : s) : 0f;
            }
        }
    }
}

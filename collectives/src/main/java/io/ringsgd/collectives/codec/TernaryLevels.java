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
}

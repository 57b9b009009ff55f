package io.ringsgd.collectives.codec;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Sparse ternary levels {−s, 0, +s}, entropy coded: the format {@code ternary}. In each bucket of {@value #BUCKET}
 * elements only those whose magnitude exceeds λ times the bucket's mean magnitude become ±s (s the mean magnitude of
 * those), all the others 0; the zero runs between them are Golomb-Rice coded, so the bytes per element fall with the
 * fraction d of elements sent, well below the 2 bits of {@link TernaryCodec}. With error feedback the dropped
 * elements accumulate in the sender's residual until they pass the threshold (the sparsification of ECQ-SGD and deep
 * gradient compression).
 *
 * <p>Layout (little-endian; bits packed from the least significant bit of each byte up): a 4-byte int, the length of
 * the whole encoding in bytes, then per bucket of m elements: the Elias gamma code of c + 1, c the bucket's nonzeros;
 * if c &gt; 0 the 32 bits of s, then for each nonzero in index order the gap g of zeros since the previous one (or
 * the bucket's start) as Rice code of parameter k (g &gt;&gt; k zeros, a one, the low k bits of g) and a sign bit
 * (1 = −s). k = ⌊log2((m − c) / c)⌋ (0 when that is below 1) follows from c, so it is not sent.
 *
 * <p>Cost per element: about d·(log2(1/d) + 3) bits plus 32 bits of scale and a few bits of count per bucket. At
 * worst (λ = 0: every nonzero element sent) 2 bits per element plus 51 bits per bucket: never more than
 * {@link #encodedBytes} reports, which is what a receiver must reserve. Encoding reads each element twice (the mean,
 * then the selection) and writes O(c) bits; decoding touches only the nonzeros (and zero-fills when not adding). A NaN
 * or an infinity in a bucket makes its threshold NaN or infinite, so nothing passes it and the whole bucket decodes
 * to zeros (the sink, if any, receives the NaN or infinity).
 *
 * <p>Not thread-safe (staging arrays, the threshold): take one per thread from {@link Codecs#create}.
 */
public final class SparseTernaryCodec implements Codec {
    /** Elements per scale. */
    public static final int BUCKET = 512;
    /** Default threshold λ, in multiples of a bucket's mean magnitude. */
    public static final float DEFAULT_THRESHOLD = 2.5f;
    /** Bits of a full bucket in the worst case. */
    private static final int MAX_BUCKET_BITS = maxBits(BUCKET);

    private float lambda = DEFAULT_THRESHOLD;
    private final TernaryLevels levels = new TernaryLevels();
    /** The bucket being coded ({@link #select}): threshold, level, nonzeros. */
    private float cut;
    private float level;
    private int nonzeros;
    /** Staging of the encoding (heap, for bit packing), grown to the largest encoding seen. */
    private byte[] stage = new byte[0];
    /** Bit writer and reader state. */
    private long acc;
    private int nbits;
    private int pos;
    private int end;

    /** A codec with the default threshold (prefer {@link Codecs#create}). */
    public SparseTernaryCodec() {
    }

    /**
     * Sets the threshold λ of later encodings: elements with magnitude above λ × their bucket's mean magnitude are
     * sent. Larger λ sends fewer (λ = 2.5 sends about 5 % of normally distributed values, λ = 0 every nonzero). Only
     * the encoder uses it; ranks may differ.
     *
     * @throws IllegalArgumentException unless 0 ≤ λ and finite
     */
    public void threshold(float lambda) {
        this.lambda = checkThreshold(lambda);
    }

    /**
     * Returns λ if it is a threshold: finite and at least 0.
     *
     * @throws IllegalArgumentException otherwise
     */
    public static float checkThreshold(float lambda) {
        if (!(lambda >= 0f) || Float.isInfinite(lambda)) {
            throw new IllegalArgumentException("ternary threshold must be finite and at least 0, got " + lambda);
        }
        return lambda;
    }

    /** The threshold λ of {@link #threshold(float)}. */
    public float threshold() {
        return lambda;
    }

    /** Rice parameter for c nonzeros in a bucket of m: ⌊log2((m − c) / c)⌋, at least 0. */
    private static int riceK(int c, int m) {
        int q = (m - c) / c;
        return q == 0 ? 0 : 31 - Integer.numberOfLeadingZeros(q);
    }

    /** Bits of the Elias gamma code of v ≥ 1. */
    private static int gammaBits(int v) {
        return 2 * (31 - Integer.numberOfLeadingZeros(v)) + 1;
    }

    /**
     * Most bits a bucket of m elements can take: with c nonzeros, the gaps add up to at most m − c, so their Rice
     * quotients add up to at most (m − c) &gt;&gt; k.
     */
    static int maxBits(int m) {
        int most = gammaBits(1);
        for (int c = 1; c <= m; c++) {
            int k = riceK(c, m);
            most = Math.max(most, gammaBits(c + 1) + 32 + c * (k + 2) + ((m - c) >> k));
        }
        return most;
    }

    static int bytes(int n) {
        int rest = n % BUCKET;
        long bits = (long) (n / BUCKET) * MAX_BUCKET_BITS + (rest == 0 ? 0 : maxBits(rest));
        long b = 4 + (bits + 7) / 8;
        if (b > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many elements for one ternary encoding: " + n);
        }
        return (int) b;
    }

    /** The most bytes {@link #encode} writes for n elements; the actual length is {@link #encodedLength}. */
    @Override
    public int encodedBytes(int n) {
        return bytes(n);
    }

    @Override
    public boolean variableLength() {
        return true;
    }

    @Override
    public int encodedLength(ByteBuffer src, int at, int n) {
        return readLength(src, at);
    }

    private static int readLength(ByteBuffer src, int at) {
        int b0 = src.get(at) & 0xFF;
        int b1 = src.get(at + 1) & 0xFF;
        int b2 = src.get(at + 2) & 0xFF;
        int b3 = src.get(at + 3) & 0xFF;
        return b0 | b1 << 8 | b2 << 16 | b3 << 24;
    }

    // ------------------------------------------------------------------------------------------- bits

    private void put(long value, int len) {
        acc |= value << nbits;
        nbits += len;
        while (nbits >= 8) {
            stage[pos++] = (byte) acc;
            acc >>>= 8;
            nbits -= 8;
        }
    }

    /** q zeros, then a one. */
    private void putUnary(int q) {
        while (q >= 32) {
            put(0, 32);
            q -= 32;
        }
        put(1L << q, q + 1);
    }

    private void refill() {
        while (nbits <= 56 && pos < end) {
            acc |= (long) (stage[pos++] & 0xFF) << nbits;
            nbits += 8;
        }
    }

    private int take(int len) {
        if (nbits < len) {
            refill();
            if (nbits < len) {
                throw new IllegalStateException("ternary encoding ends early: corrupt or truncated");
            }
        }
        int v = (int) (acc & ((1L << len) - 1));
        acc >>>= len;
        nbits -= len;
        return v;
    }

    /** Zeros up to the next one (consumed). */
    private int takeUnary() {
        int q = 0;
        while (true) {
            if (nbits == 0 || acc == 0) {
                q += nbits;
                acc = 0;
                nbits = 0;
                refill();
                if (nbits == 0) {
                    throw new IllegalStateException("ternary encoding ends early: corrupt or truncated");
                }
                continue;
            }
            int z = Long.numberOfTrailingZeros(acc);
            acc = acc >>> z >>> 1; // z may be 63, and a shift by 64 would shift nothing

            nbits -= z + 1;
            return q + z;
        }
    }

    // ------------------------------------------------------------------------------------------- coding

    @Override
    public void encode(float[] src, int off, int n, ByteBuffer dst, int at, float[] lost, int lostOff) {
        int max = bytes(n);
        if (stage.length < max) {
            stage = new byte[max];
        }
        acc = 0;
        nbits = 0;
        pos = 4;
        for (int b = 0; b < n; b += BUCKET) {
            encodeBucket(src, off + b, Math.min(BUCKET, n - b), lost, lostOff + b);
        }
        if (nbits > 0) {
            put(0, 8 - nbits);
        }
        int len = pos;
        stage[0] = (byte) len;
        stage[1] = (byte) (len >>> 8);
        stage[2] = (byte) (len >>> 16);
        stage[3] = (byte) (len >>> 24);
        dst.put(at, stage, 0, len);
    }

    /** Sets {@link #cut}, {@link #level} and {@link #nonzeros} of a bucket. */
    private void select(float[] src, int from, int m) {
        levels.select(src, from, m, lambda);
        cut = levels.threshold;
        level = levels.scale;
        nonzeros = levels.count;
    }

    private void encodeBucket(float[] src, int from, int m, float[] lost, int l) {
        select(src, from, m);
        float t = cut;
        int c = nonzeros;
        int g = c + 1;
        int lg = 31 - Integer.numberOfLeadingZeros(g);
        putUnary(lg);
        put(g & ((1 << lg) - 1), lg);
        if (c == 0) {
            if (lost != null) {
                for (int i = 0; i < m; i++) {
                    lost[l + i] += src[from + i];
                }
            }
            return;
        }
        float s = level;
        put(Float.floatToRawIntBits(s) & 0xFFFFFFFFL, 32);
        int k = riceK(c, m);
        int mask = (1 << k) - 1;
        int prev = -1;
        for (int i = 0; i < m; i++) {
            float x = src[from + i];
            if (Math.abs(x) > t) {
                int gap = i - prev - 1;
                prev = i;
                int neg = Float.floatToRawIntBits(x) >>> 31;
                putUnary(gap >>> k);
                put((long) (gap & mask) | (long) neg << k, k + 1);
                if (lost != null) {
                    lost[l + i] += x - (neg == 0 ? s : -s);
                }
            } else if (lost != null) {
                lost[l + i] += x;
            }
        }
    }

    @Override
    public void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate) {
        int len = readLength(src, at);
        if (len < 4 || len > bytes(n) || at + len > src.limit()) {
            throw new IllegalStateException("ternary encoding of " + n + " elements claims " + len
                    + " bytes: corrupt, or encoded for another count");
        }
        if (stage.length < len) {
            stage = new byte[Math.max(len, bytes(n))];
        }
        src.get(at, stage, 0, len);
        acc = 0;
        nbits = 0;
        pos = 4;
        end = len;
        for (int b = 0; b < n; b += BUCKET) {
            int m = Math.min(BUCKET, n - b);
            int d = off + b;
            if (!accumulate) {
                Arrays.fill(dst, d, d + m, 0f);
            }
            int lg = takeUnary();
            if (lg > 20) {
                throw new IllegalStateException("ternary bucket count takes " + lg + " bits: corrupt");
            }
            int c = (1 << lg) - 1 + take(lg);
            if (c == 0) {
                continue;
            }
            if (c > m) {
                throw new IllegalStateException("ternary bucket claims " + c + " nonzeros of " + m + ": corrupt");
            }
            float s = Float.intBitsToFloat(take(16) | take(16) << 16);
            int k = riceK(c, m);
            int i = -1;
            for (int j = 0; j < c; j++) {
                int gap = takeUnary() << k | take(k);
                i += gap + 1;
                if (i >= m) {
                    throw new IllegalStateException("ternary bucket places a nonzero past its end: corrupt");
                }
                float v = take(1) == 0 ? s : -s;
                if (accumulate) {
                    dst[d + i] += v;
                } else {
                    dst[d + i] = v;
                }
            }
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        levels.roundTrip(src, off, n, out, outOff, BUCKET, lambda);
    }
}

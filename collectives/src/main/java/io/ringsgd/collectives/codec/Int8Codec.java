package io.ringsgd.collectives.codec;

import java.nio.ByteBuffer;

/**
 * Blockwise linear 8-bit quantization: each block of {@value #BLOCK} elements is stored as one float scale
 * (max |x| / 127) followed by one signed byte per element, q = round(x / scale). About 1.02 bytes per element; the
 * error of an element is at most half a step, scale / 2.
 */
public final class Int8Codec implements Codec {
    /** Elements per scale. */
    public static final int BLOCK = 256;

    private static final ThreadLocal<byte[]> STAGE = ThreadLocal.withInitial(() -> new byte[BLOCK]);

    @Override
    public int encodedBytes(int n) {
        return n + 4 * ((n + BLOCK - 1) / BLOCK);
    }

    @Override
    public void encode(float[] src, int off, int n, ByteBuffer dst, int at) {
        byte[] q = STAGE.get();
        int pos = at;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            float scale = scaleOf(src, off + b, m);
            float inv = scale == 0f ? 0f : 1f / scale;
            for (int i = 0; i < m; i++) {
                q[i] = quantize(src[off + b + i], inv);
            }
            dst.putFloat(pos, scale);
            dst.put(pos + 4, q, 0, m);
            pos += 4 + m;
        }
    }

    /** round(x · inv), halves away from zero, clamped to ±127 (|x · inv| ≤ 127 already unless x is not finite). */
    private static byte quantize(float x, float inv) {
        float y = x * inv;
        int q = (int) (y + (y >= 0f ? 0.5f : -0.5f));
        return (byte) Math.max(-127, Math.min(127, q));
    }

    private static float scaleOf(float[] src, int from, int m) {
        float max = 0f;
        for (int i = 0; i < m; i++) {
            max = Math.max(max, Math.abs(src[from + i]));
        }
        return max / 127f;
    }

    @Override
    public void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate) {
        byte[] q = STAGE.get();
        int pos = at;
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            float scale = src.getFloat(pos);
            src.get(pos + 4, q, 0, m);
            int d = off + b;
            if (accumulate) {
                for (int i = 0; i < m; i++) {
                    dst[d + i] += q[i] * scale;
                }
            } else {
                for (int i = 0; i < m; i++) {
                    dst[d + i] = q[i] * scale;
                }
            }
            pos += 4 + m;
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        for (int b = 0; b < n; b += BLOCK) {
            int m = Math.min(BLOCK, n - b);
            float scale = scaleOf(src, off + b, m);
            float inv = scale == 0f ? 0f : 1f / scale;
            for (int i = 0; i < m; i++) {
                out[outOff + b + i] = quantize(src[off + b + i], inv) * scale;
            }
        }
    }
}

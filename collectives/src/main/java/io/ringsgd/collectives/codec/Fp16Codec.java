package io.ringsgd.collectives.codec;

import java.nio.ByteBuffer;

/**
 * IEEE 754 binary16 with round-to-nearest-even, subnormals, infinities and NaN (JDK 17 has no
 * {@code Float.floatToFloat16}). 2 bytes per element; values above 65504 become infinite, below 2^-24 zero.
 */
public final class Fp16Codec implements Codec {
    private static final int STAGE = 2048;
    private static final ThreadLocal<byte[]> BYTES = ThreadLocal.withInitial(() -> new byte[2 * STAGE]);

    /** The binary16 bits nearest to {@code f} (ties to even). */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int exp = (bits >>> 23) & 0xff;
        int mant = bits & 0x7fffff;
        if (exp == 0xff) {
            return (short) (sign | 0x7c00 | (mant != 0 ? 0x200 | (mant >>> 13) : 0));
        }
        int e = exp - 127 + 15;
        if (e >= 0x1f) {
            return (short) (sign | 0x7c00);
        }
        if (e <= 0) {
            if (e < -10) {
                return (short) sign;
            }
            mant |= 0x800000;
            int shift = 14 - e;
            int half = mant >>> shift;
            int rem = mant & ((1 << shift) - 1);
            int halfway = 1 << (shift - 1);
            if (rem > halfway || (rem == halfway && (half & 1) != 0)) {
                half++;
            }
            return (short) (sign | half);
        }
        int h = sign | (e << 10) | (mant >>> 13);
        int rem = mant & 0x1fff;
        if (rem > 0x1000 || (rem == 0x1000 && (h & 1) != 0)) {
            h++;
        }
        return (short) h;
    }

    /** The float value of binary16 bits {@code h} (exact). */
    public static float toFloat(short h) {
        int bits = h & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1f;
        int mant = bits & 0x3ff;
        if (exp == 0) {
            float v = mant * 0x1p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
        }
        return Float.intBitsToFloat(sign | ((exp - 15 + 127) << 23) | (mant << 13));
    }

    @Override
    public int encodedBytes(int n) {
        return 2 * n;
    }

    @Override
    public void encode(float[] src, int off, int n, ByteBuffer dst, int at) {
        // Little-endian halves built in a byte array, then one bulk copy per chunk.
        byte[] b = BYTES.get();
        for (int k = 0; k < n; k += STAGE) {
            int m = Math.min(STAGE, n - k);
            for (int i = 0; i < m; i++) {
                short h = toHalf(src[off + k + i]);
                b[2 * i] = (byte) h;
                b[2 * i + 1] = (byte) (h >> 8);
            }
            dst.put(at + 2 * k, b, 0, 2 * m);
        }
    }

    @Override
    public void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate) {
        byte[] b = BYTES.get();
        for (int k = 0; k < n; k += STAGE) {
            int m = Math.min(STAGE, n - k);
            src.get(at + 2 * k, b, 0, 2 * m);
            int d = off + k;
            if (accumulate) {
                for (int i = 0; i < m; i++) {
                    dst[d + i] += toFloat((short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8)));
                }
            } else {
                for (int i = 0; i < m; i++) {
                    dst[d + i] = toFloat((short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8)));
                }
            }
        }
    }

    @Override
    public void roundTrip(float[] src, int off, int n, float[] out, int outOff) {
        for (int i = 0; i < n; i++) {
            out[outOff + i] = toFloat(toHalf(src[off + i]));
        }
    }
}

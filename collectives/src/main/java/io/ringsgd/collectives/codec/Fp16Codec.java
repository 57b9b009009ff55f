package io.ringsgd.collectives.codec;

import java.nio.ByteBuffer;

/**
 * IEEE 754 binary16 with round-to-nearest-even, subnormals, infinities and NaN (JDK 17 has no
 * {@code Float.floatToFloat16}). 2 bytes per element; values above 65504 become infinite, below 2^-24 zero.
 * An instance keeps a staging array: it is not thread-safe; take one per thread from {@link Codecs#create}.
 */
public final class Fp16Codec implements Codec {
    private static final int STAGE = 2048;

    private final byte[] bytes = new byte[2 * STAGE];

    /** Every half's float value, by its 16 bits: decoding is one lookup. */
    private static final float[] HALF_TO_FLOAT = new float[1 << 16];

    static {
        for (int h = 0; h < HALF_TO_FLOAT.length; h++) {
            HALF_TO_FLOAT[h] = slowToFloat(h);
        }
    }

    /**
     * The binary16 bits nearest to {@code f} (ties to even). Normal halves come from integer rounding of the float's
     * bits, subnormal ones from one float addition of 0.5 (whose ulp, 2^-24, is the subnormal half's step), so the
     * hardware does the round-to-nearest-even.
     */
    public static short toHalf(float f) {
        int bits = Float.floatToRawIntBits(f);
        int sign = (bits >>> 16) & 0x8000;
        int abs = bits & 0x7fffffff;
        int h;
        if (abs >= 0x47800000) {
            // 65536 and above, infinity, NaN (quiet, keeping the payload's top bits).
            h = abs > 0x7f800000 ? 0x7e00 | ((abs >>> 13) & 0x3ff) : 0x7c00;
        } else if (abs < 0x38800000) {
            // Below 2^-14: a subnormal half (or zero).
            h = Float.floatToRawIntBits(Float.intBitsToFloat(abs) + 0.5f) - 0x3f000000;
        } else {
            // Rebias the exponent, round the 13 dropped bits to nearest even; a carry may reach infinity.
            h = (abs + ((15 - 127) << 23) + 0xfff + ((abs >>> 13) & 1)) >>> 13;
        }
        return (short) (sign | h);
    }

    /** The float value of binary16 bits {@code h} (exact). */
    public static float toFloat(short h) {
        return HALF_TO_FLOAT[h & 0xffff];
    }

    private static float slowToFloat(int bits) {
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
        return bytes(n);
    }

    static int bytes(int n) {
        return 2 * n;
    }

    @Override
    public void encode(float[] src, int off, int n, ByteBuffer dst, int at, float[] lost, int lostOff) {
        // Little-endian halves built in a byte array, then one bulk copy per chunk.
        byte[] b = bytes;
        for (int k = 0; k < n; k += STAGE) {
            int m = Math.min(STAGE, n - k);
            for (int i = 0; i < m; i++) {
                short h = toHalf(src[off + k + i]);
                b[2 * i] = (byte) h;
                b[2 * i + 1] = (byte) (h >> 8);
            }
            if (lost != null) {
                int l = lostOff + k;
                for (int i = 0; i < m; i++) {
                    lost[l + i] += src[off + k + i] - toFloat((short) ((b[2 * i] & 0xff) | (b[2 * i + 1] << 8)));
                }
            }
            dst.put(at + 2 * k, b, 0, 2 * m);
        }
    }

    @Override
    public void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate) {
        byte[] b = bytes;
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

package io.ringsgd.collectives.codec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A codec that codes blocks of {@link #block} elements, each into a float scale followed by its elements' codes of
 * {@link #bits} bits, and
 * moves them between the (direct) wire buffer and a heap staging array many blocks at a time, since every bulk copy
 * has a fixed cost. Subclasses code one block; this class does the staging. Not thread-safe.
 */
abstract class BlockCodec implements Codec {
    /** Blocks staged per bulk copy. */
    private static final int STAGE_BLOCKS = 64;
    /** Little-endian float access into byte arrays, for the scales. */
    static final VarHandle FLOAT_LE = MethodHandles.byteArrayViewVarHandle(float[].class, ByteOrder.LITTLE_ENDIAN);

    private final int block;
    private final int bits;
    private final byte[] stage;

    BlockCodec(int block, int bits) {
        this.block = block;
        this.bits = bits;
        this.stage = new byte[STAGE_BLOCKS * blockBytes(block)];
    }

    /** Bytes of a block of {@code m} elements (m ≤ block): the scale and the codes. */
    final int blockBytes(int m) {
        return 4 + (m * bits + 7) / 8;
    }

    /** Bytes of {@code n} elements in blocks of {@code block} with codes of {@code bits} bits. */
    static int bytes(int n, int block, int bits) {
        int rest = n % block;
        return n / block * (4 + (block * bits + 7) / 8) + (rest == 0 ? 0 : 4 + (rest * bits + 7) / 8);
    }

    /**
     * Codes {@code src[from, from+m)} into {@code st} from byte {@code k} and, if {@code lost} is not null, adds what
     * the code drops into {@code lost[l..]}, computed exactly as the decoder will compute the values.
     */
    abstract void encodeBlock(float[] src, int from, int m, byte[] st, int k, float[] lost, int l);

    /** Decodes a block of {@code m} elements from {@code st} at byte {@code k} into {@code dst[d..]}. */
    abstract void decodeBlock(byte[] st, int k, float[] dst, int d, int m, boolean accumulate);

    @Override
    public final int encodedBytes(int n) {
        return bytes(n, block, bits);
    }

    @Override
    public final void encode(float[] src, int off, int n, ByteBuffer dst, int at, float[] lost, int lostOff) {
        byte[] st = stage;
        int full = blockBytes(block);
        int pos = at;
        int k = 0;
        for (int b = 0; b < n; b += block) {
            int m = Math.min(block, n - b);
            encodeBlock(src, off + b, m, st, k, lost, lostOff + b);
            k += blockBytes(m);
            if (k > st.length - full || b + m == n) {
                dst.put(pos, st, 0, k);
                pos += k;
                k = 0;
            }
        }
    }

    @Override
    public final void decode(ByteBuffer src, int at, float[] dst, int off, int n, boolean accumulate) {
        byte[] st = stage;
        int pos = at;
        for (int start = 0; start < n; start += STAGE_BLOCKS * block) {
            int count = Math.min(STAGE_BLOCKS * block, n - start);
            int len = encodedBytes(count);
            src.get(pos, st, 0, len);
            pos += len;
            int k = 0;
            for (int b = 0; b < count; b += block) {
                int m = Math.min(block, count - b);
                decodeBlock(st, k, dst, off + start + b, m, accumulate);
                k += blockBytes(m);
            }
        }
    }
}

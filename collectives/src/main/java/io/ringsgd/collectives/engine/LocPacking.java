package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;

/**
 * MINLOC and MAXLOC as one reduction of longs: each (value, index) pair whose value fits 32 bits (int, byte, float)
 * becomes a long whose signed order is the pair's order, so the built-in MIN (MINLOC) or MAX (MAXLOC) of the longs,
 * on any algorithm, is the MPI result: the extreme value, ties to the lowest index. The high half is the value as an
 * order-keeping signed int (a float's bits with the magnitude flipped when negative, so −0.0 sorts below +0.0; a NaN
 * becomes the extreme that wins, as MIN and MAX let a NaN win); the low half is the index with its sign bit flipped
 * (MINLOC) or complemented and then flipped (MAXLOC, so the lowest index is the largest), both read unsigned.
 *
 * <p>Cost: the reduction's on 8-byte elements (n values of 4 bytes or fewer and n int indices travel as 8n bytes,
 * the same as the pair) plus 2n local passes; half the latency of reducing the values and then the indices.
 */
final class LocPacking {
    private static final long LOW = 0xFFFF_FFFFL;

    private LocPacking() {
    }

    /** True if values of {@code type} pack with their index into one long. */
    static boolean packs(ElementType type) {
        return type == ElementType.INT || type == ElementType.BYTE || type == ElementType.FLOAT;
    }

    /** Packs the first {@code n} (value, index) pairs into {@code pairs} for {@code op} (MINLOC or MAXLOC). */
    static void pack(ElementBuffer values, ElementBuffer indices, ReduceOp op, ElementBuffer pairs, int n) {
        boolean min = op == ReduceOp.MINLOC;
        boolean floating = values.type() == ElementType.FLOAT;
        for (int i = 0; i < n; i++) {
            int key = floating ? floatKey((float) values.get(i), min) : (int) values.getLong(i);
            int index = (int) indices.getLong(i);
            int low = (min ? index : ~index) ^ Integer.MIN_VALUE;
            pairs.setLong(i, (long) key << 32 | (low & LOW));
        }
    }

    /** Unpacks the first {@code n} reduced pairs of {@code pairs} into {@code values} and {@code indices}. */
    static void unpack(ElementBuffer pairs, ReduceOp op, ElementBuffer values, ElementBuffer indices, int n) {
        boolean min = op == ReduceOp.MINLOC;
        boolean floating = values.type() == ElementType.FLOAT;
        for (int i = 0; i < n; i++) {
            long p = pairs.getLong(i);
            int key = (int) (p >> 32);
            int low = (int) p ^ Integer.MIN_VALUE;
            if (floating) {
                values.set(i, keyFloat(key));
            } else {
                values.setLong(i, key);
            }
            indices.setLong(i, min ? low : ~low);
        }
    }

    /**
     * A float as an int whose signed order is the float's ({@link Math#min} order, −0.0 below +0.0); every NaN
     * becomes the key that wins ({@code Integer.MIN_VALUE} for MINLOC, {@code Integer.MAX_VALUE} for MAXLOC), which
     * no other float has (−Inf and +Inf map to 0x807FFFFF and 0x7F800000).
     */
    static int floatKey(float f, boolean min) {
        if (f != f) {
            return min ? Integer.MIN_VALUE : Integer.MAX_VALUE;
        }
        int bits = Float.floatToRawIntBits(f);
        return bits ^ ((bits >> 31) & Integer.MAX_VALUE);
    }

    /** The float of a key made by {@link #floatKey}; the NaN keys give {@link Float#NaN}. */
    static float keyFloat(int key) {
        if (key == Integer.MIN_VALUE || key == Integer.MAX_VALUE) {
            return Float.NaN;
        }
        return Float.intBitsToFloat(key ^ ((key >> 31) & Integer.MAX_VALUE));
    }
}

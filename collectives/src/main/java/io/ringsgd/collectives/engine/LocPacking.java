package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.UserReduction;

/**
 * MINLOC and MAXLOC as one reduction of longs: each (value, index) pair whose value fits 32 bits (int, byte, float)
 * becomes a long whose signed order is the pair's order, so the built-in MIN (MINLOC) or MAX (MAXLOC) of the longs,
 * on any algorithm, is the MPI result: the extreme value, ties to the lowest index. The high half is the value as an
 * order-keeping signed int (a float's bits with the magnitude flipped when negative, so −0.0 sorts below +0.0; a NaN
 * becomes the extreme that wins, as MIN and MAX let a NaN win); the low half is the index with its sign bit flipped
 * (MINLOC) or complemented and then flipped (MAXLOC, so the lowest index is the largest), both read unsigned.
 *
 * <p>Long and double values do not fit: for the scan, whose prefixes no second pass can mend, they travel as two
 * longs per pair (the value as an order-keeping long, the index) and are combined by {@link #WIDE_MINLOC} or
 * {@link #WIDE_MAXLOC}, which the scan applies to whole vectors, so no pair is ever split.
 *
 * <p>Cost: the reduction's on 8-byte elements (n values of 4 bytes or fewer and n int indices travel as 8n bytes,
 * the same as the pair) plus 2n local passes; half the latency of reducing the values and then the indices. Wide
 * pairs: 16n bytes and a Java comparison per pair.
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

    /** Wide pairs (value key, index) in consecutive longs: keeps the lower key, ties to the lower index. */
    static final UserReduction WIDE_MINLOC = UserReduction.commutative("MINLOC", (in, io, out, oo, n) ->
            wide(in, io, out, oo, n, true));
    /** Wide pairs: keeps the higher key, ties to the lower index. */
    static final UserReduction WIDE_MAXLOC = UserReduction.commutative("MAXLOC", (in, io, out, oo, n) ->
            wide(in, io, out, oo, n, false));

    private static void wide(ElementBuffer in, int io, ElementBuffer out, int oo, int n, boolean min) {
        for (int i = 0; i < n; i += 2) {
            long a = in.getLong(io + i);
            long b = out.getLong(oo + i);
            long ai = in.getLong(io + i + 1);
            if ((min ? a < b : a > b) || (a == b && ai < out.getLong(oo + i + 1))) {
                out.setLong(oo + i, a);
                out.setLong(oo + i + 1, ai);
            }
        }
    }

    /** Packs long or double (value, index) pairs into 2n longs of {@code pairs}. */
    static void packWide(ElementBuffer values, ElementBuffer indices, ReduceOp op, ElementBuffer pairs, int n) {
        boolean min = op == ReduceOp.MINLOC;
        boolean floating = values.type() == ElementType.DOUBLE;
        for (int i = 0; i < n; i++) {
            pairs.setLong(2 * i, floating ? doubleKey(values.get(i), min) : values.getLong(i));
            pairs.setLong(2 * i + 1, indices.getLong(i));
        }
    }

    /** Unpacks 2n longs made by {@link #packWide}. */
    static void unpackWide(ElementBuffer pairs, ElementBuffer values, ElementBuffer indices, int n) {
        boolean floating = values.type() == ElementType.DOUBLE;
        for (int i = 0; i < n; i++) {
            long key = pairs.getLong(2 * i);
            if (floating) {
                values.set(i, keyDouble(key));
            } else {
                values.setLong(i, key);
            }
            indices.setLong(i, pairs.getLong(2 * i + 1));
        }
    }

    /** As {@link #floatKey} for a double, on longs. */
    static long doubleKey(double d, boolean min) {
        if (d != d) {
            return min ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long bits = Double.doubleToRawLongBits(d);
        return bits ^ ((bits >> 63) & Long.MAX_VALUE);
    }

    /** The double of a key made by {@link #doubleKey}. */
    static double keyDouble(long key) {
        if (key == Long.MIN_VALUE || key == Long.MAX_VALUE) {
            return Double.NaN;
        }
        return Double.longBitsToDouble(key ^ ((key >> 63) & Long.MAX_VALUE));
    }
}

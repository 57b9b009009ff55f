package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Inputs and serial references for collectives on {@code int}, {@code long} and {@code byte} elements: values over
 * the whole range of the type (so SUM and PROD wrap around), a third of them zero (so LAND and LOR see both truth
 * values), held in arrays or in direct NIO buffers.
 */
public final class IntegerInputs {
    /** The integer element types. */
    public static final ElementType[] TYPES = {ElementType.INT, ElementType.LONG, ElementType.BYTE};
    /** Every op that applies to integers. */
    public static final ReduceOp[] OPS = {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.BAND,
        ReduceOp.BOR, ReduceOp.BXOR, ReduceOp.LAND, ReduceOp.LOR};

    private IntegerInputs() {
    }

    /**
     * Element {@code i} of rank {@code r}'s input, narrowed to {@code t}; for float and double a small integer in
     * [−8, 8], so that sums, products and extremes of a few ranks are exact.
     */
    public static long value(ElementType t, int r, long i) {
        long h = (i + 1) * 0x9E3779B97F4A7C15L ^ (r + 1) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        h ^= h >>> 32;
        if (Math.floorMod(h, 3) == 0) {
            return 0;
        }
        if (!t.isInteger()) {
            return Math.floorMod(h, 17) - 8;
        }
        return narrow(t, h);
    }

    /** {@code v} cast to {@code t} and widened back, as Java's casts do (float and double: unchanged). */
    public static long narrow(ElementType t, long v) {
        switch (t) {
            case INT:
                return (int) v;
            case BYTE:
                return (byte) v;
            default:
                return v;
        }
    }

    /** {@code op(a, b)} in {@code t}'s arithmetic. */
    public static long apply(ElementType t, ReduceOp op, long a, long b) {
        long v;
        switch (op) {
            case SUM:
                v = a + b;
                break;
            case PROD:
                v = a * b;
                break;
            case MIN:
                v = Math.min(a, b);
                break;
            case MAX:
                v = Math.max(a, b);
                break;
            case BAND:
                v = a & b;
                break;
            case BOR:
                v = a | b;
                break;
            case BXOR:
                v = a ^ b;
                break;
            case LAND:
                v = a != 0 && b != 0 ? 1 : 0;
                break;
            case LOR:
                v = a != 0 || b != 0 ? 1 : 0;
                break;
            default:
                throw new IllegalArgumentException(op.toString());
        }
        return narrow(t, v);
    }

    /** The serial reduction of element {@code i} over ranks {@code from..to} (inclusive), folded in rank order. */
    public static long expected(ElementType t, ReduceOp op, int from, int to, long i) {
        long acc = value(t, from, i);
        for (int r = from + 1; r <= to; r++) {
            acc = apply(t, op, acc, value(t, r, i));
        }
        return acc;
    }

    /**
     * A buffer of {@code n} elements of {@code t}, in an array ({@code direct} false) or a direct NIO buffer of the
     * type ({@code IntBuffer}, {@code LongBuffer}, {@code ByteBuffer}), filled by {@code fill(i)}.
     */
    public static ElementBuffer buffer(ElementType t, int n, boolean direct,
            java.util.function.IntToLongFunction fill) {
        ElementBuffer b;
        if (direct) {
            ByteBuffer bb = ByteBuffer.allocateDirect(n * t.bytes()).order(ByteOrder.nativeOrder());
            switch (t) {
                case INT:
                    b = ElementBuffer.of(bb.asIntBuffer());
                    break;
                case LONG:
                    b = ElementBuffer.of(bb.asLongBuffer());
                    break;
                case FLOAT:
                    b = ElementBuffer.of(bb.asFloatBuffer());
                    break;
                case DOUBLE:
                    b = ElementBuffer.of(bb.asDoubleBuffer());
                    break;
                default:
                    b = ElementBuffer.of(bb);
            }
        } else {
            b = ElementBuffer.allocate(t, n);
        }
        for (int i = 0; i < n; i++) {
            b.setLong(i, fill.applyAsLong(i));
        }
        return b;
    }

    /** Rank {@code r}'s input: {@code n} elements from element {@code first} of its value sequence. */
    public static ElementBuffer input(ElementType t, int r, int first, int n, boolean direct) {
        return buffer(t, n, direct, i -> value(t, r, first + i));
    }
}

package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.ReduceOp;

/**
 * Deterministic inputs whose reductions are exact in float and double (small integers for SUM/AVG/MIN/MAX, powers of
 * two for PROD), so any algorithm's result can be compared with a serial reference bit for bit.
 */
public final class Inputs {
    private Inputs() {
    }

    /** The ops that apply to float and double elements (SUM, PROD, MIN, MAX, AVG). */
    public static ReduceOp[] floatingOps() {
        return new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.AVG};
    }

    /** Element {@code i} of rank {@code r}'s input for {@code op}. */
    public static double value(ReduceOp op, int r, long i) {
        if (op == ReduceOp.PROD) {
            int k = (int) ((i * 5 + r * 3) % 4);
            return k == 0 ? 0.5 : k == 1 ? 1.0 : k == 2 ? 2.0 : -1.0;
        }
        return (double) ((i * 7 + r * 13) % 17) - 8;
    }

    /** The serial reduction of element {@code i} over ranks 0..p-1. */
    public static double expected(ReduceOp op, int p, long i) {
        double acc = value(op, 0, i);
        for (int r = 1; r < p; r++) {
            double v = value(op, r, i);
            switch (op) {
                case SUM:
                case AVG:
                    acc += v;
                    break;
                case PROD:
                    acc *= v;
                    break;
                case MIN:
                    acc = Math.min(acc, v);
                    break;
                case MAX:
                    acc = Math.max(acc, v);
                    break;
                default:
                    throw new IllegalArgumentException(op.toString());
            }
        }
        return op == ReduceOp.AVG ? acc / p : acc;
    }

    public static float[] floats(ReduceOp op, int r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) value(op, r, i);
        }
        return a;
    }

    public static double[] doubles(ReduceOp op, int r, int n) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = value(op, r, i);
        }
        return a;
    }

    /** Index of the first element of {@code a} that differs from the reference, or -1. */
    public static int firstMismatch(float[] a, ReduceOp op, int p) {
        for (int i = 0; i < a.length; i++) {
            float e = op == ReduceOp.AVG ? (float) (sumOf(p, i)) / p : (float) expected(op, p, i);
            if (Float.floatToIntBits(a[i]) != Float.floatToIntBits(e)) {
                return i;
            }
        }
        return -1;
    }

    public static int firstMismatch(double[] a, ReduceOp op, int p) {
        for (int i = 0; i < a.length; i++) {
            double e = op == ReduceOp.AVG ? sumOf(p, i) / p : expected(op, p, i);
            if (Double.doubleToLongBits(a[i]) != Double.doubleToLongBits(e)) {
                return i;
            }
        }
        return -1;
    }

    private static double sumOf(int p, long i) {
        return expected(ReduceOp.SUM, p, i);
    }
}

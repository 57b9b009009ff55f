package io.ringsgd.collectives;

/**
 * Element-wise reduction loops over arrays. Kept as plain indexed loops with the operation switched outside the loop
 * so that C2 unrolls and vectorizes them; NIO-backed buffers are staged through {@link #scratchFloats()} so that
 * every reduction ends in one of these loops.
 */
final class Kernels {
    /** Elements staged per chunk when a buffer is not array-backed: 16 KiB of floats, small enough for L1. */
    static final int STAGE = 4096;

    private static final ThreadLocal<float[][]> FLOAT_STAGE =
            ThreadLocal.withInitial(() -> new float[][] {new float[STAGE], new float[STAGE]});
    private static final ThreadLocal<double[][]> DOUBLE_STAGE =
            ThreadLocal.withInitial(() -> new double[][] {new double[STAGE], new double[STAGE]});

    private Kernels() {
    }

    static float[][] scratchFloats() {
        return FLOAT_STAGE.get();
    }

    static double[][] scratchDoubles() {
        return DOUBLE_STAGE.get();
    }

    /** d[di..] = srcFirst ? op(s, d) : op(d, s), for n elements. */
    static void reduce(float[] d, int di, float[] s, int si, int n, ReduceOp op, boolean srcFirst) {
        switch (op) {
            case SUM:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = s[si + i] + d[di + i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = d[di + i] + s[si + i];
                    }
                }
                break;
            case PROD:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = s[si + i] * d[di + i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = d[di + i] * s[si + i];
                    }
                }
                break;
            case MIN:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.min(s[si + i], d[di + i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.min(d[di + i], s[si + i]);
                    }
                }
                break;
            case MAX:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.max(s[si + i], d[di + i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.max(d[di + i], s[si + i]);
                    }
                }
                break;
            default:
                throw new IllegalArgumentException(op + " is not an element-wise reduction (AVG travels as SUM)");
        }
    }

    /** d[di..] = srcFirst ? op(s, d) : op(d, s), for n elements. */
    static void reduce(double[] d, int di, double[] s, int si, int n, ReduceOp op, boolean srcFirst) {
        switch (op) {
            case SUM:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = s[si + i] + d[di + i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = d[di + i] + s[si + i];
                    }
                }
                break;
            case PROD:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = s[si + i] * d[di + i];
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = d[di + i] * s[si + i];
                    }
                }
                break;
            case MIN:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.min(s[si + i], d[di + i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.min(d[di + i], s[si + i]);
                    }
                }
                break;
            case MAX:
                if (srcFirst) {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.max(s[si + i], d[di + i]);
                    }
                } else {
                    for (int i = 0; i < n; i++) {
                        d[di + i] = Math.max(d[di + i], s[si + i]);
                    }
                }
                break;
            default:
                throw new IllegalArgumentException(op + " is not an element-wise reduction (AVG travels as SUM)");
        }
    }

    /** d[di..] = op(a[ai..], b[bi..]) for n elements. */
    static void combine(float[] d, int di, float[] a, int ai, float[] b, int bi, int n, ReduceOp op) {
        switch (op) {
            case SUM:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] + b[bi + i];
                }
                break;
            case PROD:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] * b[bi + i];
                }
                break;
            case MIN:
                for (int i = 0; i < n; i++) {
                    d[di + i] = Math.min(a[ai + i], b[bi + i]);
                }
                break;
            case MAX:
                for (int i = 0; i < n; i++) {
                    d[di + i] = Math.max(a[ai + i], b[bi + i]);
                }
                break;
            default:
                throw new IllegalArgumentException(op + " is not an element-wise reduction (AVG travels as SUM)");
        }
    }

    /** d[di..] = op(a[ai..], b[bi..]) for n elements. */
    static void combine(double[] d, int di, double[] a, int ai, double[] b, int bi, int n, ReduceOp op) {
        switch (op) {
            case SUM:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] + b[bi + i];
                }
                break;
            case PROD:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] * b[bi + i];
                }
                break;
            case MIN:
                for (int i = 0; i < n; i++) {
                    d[di + i] = Math.min(a[ai + i], b[bi + i]);
                }
                break;
            case MAX:
                for (int i = 0; i < n; i++) {
                    d[di + i] = Math.max(a[ai + i], b[bi + i]);
                }
                break;
            default:
                throw new IllegalArgumentException(op + " is not an element-wise reduction (AVG travels as SUM)");
        }
    }

    /** Replaces every NaN of {@code d[di..di+n)} by {@link Float#NaN}; true if there was one. */
    static boolean canonicalNaNs(float[] d, int di, int n) {
        boolean any = false;
        for (int i = 0; i < n; i++) {
            if (d[di + i] != d[di + i]) {
                d[di + i] = Float.NaN;
                any = true;
            }
        }
        return any;
    }

    /** Replaces every NaN of {@code d[di..di+n)} by {@link Double#NaN}; true if there was one. */
    static boolean canonicalNaNs(double[] d, int di, int n) {
        boolean any = false;
        for (int i = 0; i < n; i++) {
            if (d[di + i] != d[di + i]) {
                d[di + i] = Double.NaN;
                any = true;
            }
        }
        return any;
    }

    static void divide(float[] d, int di, int n, float divisor) {
        for (int i = 0; i < n; i++) {
            d[di + i] = d[di + i] / divisor;
        }
    }

    static void divide(double[] d, int di, int n, double divisor) {
        for (int i = 0; i < n; i++) {
            d[di + i] = d[di + i] / divisor;
        }
    }
}

package io.ringsgd.collectives;

/**
 * Element-wise reduction loops over {@code int}, {@code long} and {@code byte} arrays: {@code d = op(a, b)}, where
 * {@code d} may be the same elements as {@code a} or {@code b} (an in-place reduction). Every integer op is
 * commutative and associative in two's-complement arithmetic, so the operand order never changes a result. Plain
 * indexed loops with the op switched outside, so that C2 vectorizes them.
 */
final class IntegerKernels {
    private static final ThreadLocal<int[][]> INT_STAGE =
            ThreadLocal.withInitial(() -> new int[][] {new int[Kernels.STAGE], new int[Kernels.STAGE]});
    private static final ThreadLocal<long[][]> LONG_STAGE =
            ThreadLocal.withInitial(() -> new long[][] {new long[Kernels.STAGE], new long[Kernels.STAGE]});
    private static final ThreadLocal<byte[][]> BYTE_STAGE =
            ThreadLocal.withInitial(() -> new byte[][] {new byte[Kernels.STAGE], new byte[Kernels.STAGE]});

    private IntegerKernels() {
    }

    static int[][] scratchInts() {
        return INT_STAGE.get();
    }

    static long[][] scratchLongs() {
        return LONG_STAGE.get();
    }

    static byte[][] scratchBytes() {
        return BYTE_STAGE.get();
    }

    /** d[di..] = op(a[ai..], b[bi..]) for n elements. */
    static void combine(int[] d, int di, int[] a, int ai, int[] b, int bi, int n, ReduceOp op) {
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
            case BAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] & b[bi + i];
                }
                break;
            case BOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] | b[bi + i];
                }
                break;
            case BXOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] ^ b[bi + i];
                }
                break;
            case LAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] != 0 & b[bi + i] != 0 ? 1 : 0;
                }
                break;
            case LOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] != 0 | b[bi + i] != 0 ? 1 : 0;
                }
                break;
            default:
                throw new IllegalArgumentException(op + " does not apply to int elements");
        }
    }

    /** d[di..] = op(a[ai..], b[bi..]) for n elements. */
    static void combine(long[] d, int di, long[] a, int ai, long[] b, int bi, int n, ReduceOp op) {
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
            case BAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] & b[bi + i];
                }
                break;
            case BOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] | b[bi + i];
                }
                break;
            case BXOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] ^ b[bi + i];
                }
                break;
            case LAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] != 0 & b[bi + i] != 0 ? 1 : 0;
                }
                break;
            case LOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = a[ai + i] != 0 | b[bi + i] != 0 ? 1 : 0;
                }
                break;
            default:
                throw new IllegalArgumentException(op + " does not apply to long elements");
        }
    }

    /** d[di..] = op(a[ai..], b[bi..]) for n elements, wrapping to 8 bits. */
    static void combine(byte[] d, int di, byte[] a, int ai, byte[] b, int bi, int n, ReduceOp op) {
        switch (op) {
            case SUM:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] + b[bi + i]);
                }
                break;
            case PROD:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] * b[bi + i]);
                }
                break;
            case MIN:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) Math.min(a[ai + i], b[bi + i]);
                }
                break;
            case MAX:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) Math.max(a[ai + i], b[bi + i]);
                }
                break;
            case BAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] & b[bi + i]);
                }
                break;
            case BOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] | b[bi + i]);
                }
                break;
            case BXOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] ^ b[bi + i]);
                }
                break;
            case LAND:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] != 0 & b[bi + i] != 0 ? 1 : 0);
                }
                break;
            case LOR:
                for (int i = 0; i < n; i++) {
                    d[di + i] = (byte) (a[ai + i] != 0 | b[bi + i] != 0 ? 1 : 0);
                }
                break;
            default:
                throw new IllegalArgumentException(op + " does not apply to byte elements");
        }
    }
}

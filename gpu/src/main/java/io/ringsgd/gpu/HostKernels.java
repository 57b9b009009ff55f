package io.ringsgd.gpu;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@link HostDevice}'s kernels: plain loops over arrays, written to round exactly as the CUDA kernels do (no fused
 * multiply-add, Java's min/max), so that the two devices agree bit for bit wherever the math allows.
 */
final class HostKernels {
    /** Little-endian float access into any ByteBuffer, whatever its order setting, without allocating a view. */
    private static final VarHandle LE_FLOAT = MethodHandles.byteBufferViewVarHandle(float[].class,
            ByteOrder.LITTLE_ENDIAN);
    /** Rows of B kept hot while a block of C rows is updated. */
    private static final int K_BLOCK = 128;

    private HostKernels() {
    }

    static void fromBytes(ByteBuffer src, int byteOff, float[] dst, int off, int n) {
        for (int i = 0; i < n; i++) {
            dst[off + i] = (float) LE_FLOAT.get(src, byteOff + 4 * i);
        }
    }

    static void toBytes(float[] src, int off, ByteBuffer dst, int byteOff, int n) {
        for (int i = 0; i < n; i++) {
            LE_FLOAT.set(dst, byteOff + 4 * i, src[off + i]);
        }
    }

    static void fill(float[] x, int off, int n, float v) {
        java.util.Arrays.fill(x, off, off + n, v);
    }

    static void scale(float[] x, int off, int n, float a) {
        for (int i = off; i < off + n; i++) {
            x[i] = a * x[i];
        }
    }

    static void divide(float[] x, int off, int n, float d) {
        for (int i = off; i < off + n; i++) {
            x[i] = x[i] / d;
        }
    }

    static void axpy(float a, float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            y[yo + i] = y[yo + i] + a * x[xo + i];
        }
    }

    /** dst = op(src, dst); op code from {@link Checks#reduceCode}. */
    static void reduce(float[] s, int so, float[] d, int dOff, int n, int op) {
        switch (op) {
            case 0:
                for (int i = 0; i < n; i++) {
                    d[dOff + i] = s[so + i] + d[dOff + i];
                }
                break;
            case 1:
                for (int i = 0; i < n; i++) {
                    d[dOff + i] = s[so + i] * d[dOff + i];
                }
                break;
            case 2:
                for (int i = 0; i < n; i++) {
                    d[dOff + i] = Math.min(s[so + i], d[dOff + i]);
                }
                break;
            default:
                for (int i = 0; i < n; i++) {
                    d[dOff + i] = Math.max(s[so + i], d[dOff + i]);
                }
        }
    }

    static void relu(float[] x, int xo, float[] y, int yo, int n) {
        for (int i = 0; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v > 0f ? v : 0f;
        }
    }

    static void reluBackward(float[] act, int ao, float[] g, int go, int n) {
        for (int i = 0; i < n; i++) {
            if (!(act[ao + i] > 0f)) {
                g[go + i] = 0f;
            }
        }
    }

    static void addBias(float[] x, int xo, int rows, int cols, float[] b, int bo) {
        for (int r = 0; r < rows; r++) {
            int row = xo + r * cols;
            for (int j = 0; j < cols; j++) {
                x[row + j] = x[row + j] + b[bo + j];
            }
        }
    }

    static void columnSums(float[] x, int xo, int rows, int cols, float[] out, int oo) {
        java.util.Arrays.fill(out, oo, oo + cols, 0f);
        for (int r = 0; r < rows; r++) {
            int row = xo + r * cols;
            for (int j = 0; j < cols; j++) {
                out[oo + j] = out[oo + j] + x[row + j];
            }
        }
    }

    static void softmaxCrossEntropy(float[] x, int xo, int rows, int cols, float[] labels, int lo, float scale,
            float[] g, int go, float[] loss, int lso) {
        for (int r = 0; r < rows; r++) {
            int row = xo + r * cols;
            int grow = go + r * cols;
            float label = labels[lo + r];
            boolean valid = label >= 0f && label < (float) cols && label == (float) Math.floor(label);
            int y = (int) label;
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < cols; j++) {
                max = Math.max(max, x[row + j]);
            }
            float sum = 0f;
            for (int j = 0; j < cols; j++) {
                sum += (float) Math.exp(x[row + j] - max);
            }
            if (!valid) {
                loss[lso + r] = Float.NaN;
                java.util.Arrays.fill(g, grow, grow + cols, Float.NaN);
                continue;
            }
            // The loss reads the logits before the gradient may overwrite them (grad may alias logits).
            loss[lso + r] = (float) Math.log(sum) - (x[row + y] - max);
            for (int j = 0; j < cols; j++) {
                float p = (float) Math.exp(x[row + j] - max) / sum;
                g[grow + j] = scale * (j == y ? p - 1f : p);
            }
        }
    }

    /** Row-major {@code C = alpha·op(A)·op(B) + beta·C}; see {@link Device#gemm}. */
    static void gemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int ao, int lda,
            float[] b, int bo, int ldb, float beta, float[] c, int co, int ldc) {
        for (int i = 0; i < m; i++) {
            int row = co + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else if (beta != 1f) {
                for (int j = row; j < row + n; j++) {
                    c[j] = beta * c[j];
                }
            }
        }
        if (alpha == 0f || k == 0 || m == 0 || n == 0) {
            return;
        }
        if (!tb) {
            // C[i,:] += (alpha·A(i,p)) · B[p,:]: contiguous rows of B and C, blocked over p so B stays in cache.
            for (int p0 = 0; p0 < k; p0 += K_BLOCK) {
                int p1 = Math.min(k, p0 + K_BLOCK);
                for (int i = 0; i < m; i++) {
                    int row = co + i * ldc;
                    for (int p = p0; p < p1; p++) {
                        float aip = alpha * (ta ? a[ao + p * lda + i] : a[ao + i * lda + p]);
                        int brow = bo + p * ldb;
                        for (int j = 0; j < n; j++) {
                            c[row + j] += aip * b[brow + j];
                        }
                    }
                }
            }
            return;
        }
        // op(B) = B^T: C[i,j] += alpha · dot(A(i,:), Bstored[j,:]), both contiguous once A's row is gathered.
        float[] arow = new float[k];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                arow[p] = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
            }
            int row = co + i * ldc;
            for (int j = 0; j < n; j++) {
                int brow = bo + j * ldb;
                float dot = 0f;
                for (int p = 0; p < k; p++) {
                    dot += arow[p] * b[brow + p];
                }
                c[row + j] += alpha * dot;
            }
        }
    }
}

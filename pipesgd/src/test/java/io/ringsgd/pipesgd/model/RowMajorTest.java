package io.ringsgd.pipesgd.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Row-major products through column-major BLAS, every transpose combination, against a naive product. */
@Timeout(30)
class RowMajorTest {

    @Test
    void allTransposeCombinationsMatchNaiveProduct() {
        SplittableRandom r = new SplittableRandom(5);
        int m = 5;
        int n = 7;
        int k = 3;
        for (boolean ta : new boolean[] {false, true}) {
            for (boolean tb : new boolean[] {false, true}) {
                // Stored shapes: A is m×k (or k×m if transposed), B is k×n (or n×k), with an offset of 2.
                int aRows = ta ? k : m;
                int aCols = ta ? m : k;
                int bRows = tb ? n : k;
                int bCols = tb ? k : n;
                float[] a = new float[2 + aRows * aCols];
                float[] b = new float[2 + bRows * bCols];
                for (int i = 0; i < a.length; i++) {
                    a[i] = (float) r.nextGaussian();
                }
                for (int i = 0; i < b.length; i++) {
                    b[i] = (float) r.nextGaussian();
                }
                float[] c = new float[m * n];
                for (int i = 0; i < c.length; i++) {
                    c[i] = 1f;
                }
                RowMajor.gemm(ta, tb, m, n, k, 2f, a, 2, aCols, b, 2, bCols, 0.5f, c, 0, n);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        double s = 0;
                        for (int p = 0; p < k; p++) {
                            double av = ta ? a[2 + p * aCols + i] : a[2 + i * aCols + p];
                            double bv = tb ? b[2 + j * bCols + p] : b[2 + p * bCols + j];
                            s += av * bv;
                        }
                        assertThat((double) c[i * n + j]).as("ta=%s tb=%s (%d,%d)", ta, tb, i, j)
                                .isCloseTo(2 * s + 0.5, org.assertj.core.data.Offset.offset(1e-4));
                    }
                }
            }
        }
    }
}

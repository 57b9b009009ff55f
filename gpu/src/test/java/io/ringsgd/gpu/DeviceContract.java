package io.ringsgd.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What every {@link Device} promises, checked against plain-Java references written here (not against the host
 * kernels). Subclasses supply the device: synchronous host, asynchronous host, CUDA.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
abstract class DeviceContract {

    /** The device under test (owned by the subclass). */
    protected abstract Device device();

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    private static void assertBits(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
                throw new AssertionError("element " + i + ": expected " + expected[i] + " but got " + actual[i]);
            }
        }
    }

    // ------------------------------------------------------------------------------------------- copies

    @Test
    void copiesHonourOffsetsInEveryDirection() {
        Device d = device();
        float[] src = random(1, 100);
        try (DeviceBuffer a = d.allocate(120); DeviceBuffer b = d.allocate(120); PinnedBuffer pin = d.allocatePinned(
                4 * 130); DeviceStream s = d.createStream()) {
            d.fill(a, 0, 120, -7f, s);
            s.synchronize();
            d.copyFromHost(src, 10, a, 5, 80);
            float[] back = new float[100];
            d.copyToHost(a, 5, back, 3, 80);
            for (int i = 0; i < 80; i++) {
                assertThat(back[3 + i]).isEqualTo(src[10 + i]);
            }
            assertThat(back[2]).isZero();
            float[] all = d.download(a);
            assertThat(all[4]).isEqualTo(-7f);
            assertThat(all[85]).isEqualTo(-7f);

            // device -> pinned at a byte offset, pinned -> device at another offset, device -> device.
            ByteBuffer bb = pin.buffer();
            d.copyToHost(a, 5, bb, 12, 80, s);
            s.synchronize();
            for (int i = 0; i < 80; i++) {
                assertThat(bb.getFloat(12 + 4 * i)).isEqualTo(src[10 + i]);
            }
            d.zero(b, 0, 120, s);
            d.copyFromHost(bb, 12, b, 30, 80, s);
            d.copy(b, 30, a, 0, 10, s);
            s.synchronize();
            float[] bb2 = d.download(b);
            float[] aa = d.download(a);
            for (int i = 0; i < 80; i++) {
                assertThat(bb2[30 + i]).isEqualTo(src[10 + i]);
            }
            assertThat(bb2[29]).isZero();
            assertThat(bb2[110]).isZero();
            for (int i = 0; i < 10; i++) {
                assertThat(aa[i]).isEqualTo(src[10 + i]);
            }

            // An ordinary (unpinned) direct buffer in big-endian order still holds little-endian floats.
            ByteBuffer plain = ByteBuffer.allocateDirect(40).order(ByteOrder.BIG_ENDIAN);
            d.copyToHost(a, 0, plain, 0, 10, null);
            d.synchronize();
            for (int i = 0; i < 10; i++) {
                assertThat(plain.duplicate().order(ByteOrder.LITTLE_ENDIAN).getFloat(4 * i)).isEqualTo(src[10 + i]);
            }
            d.copy(a, 0, a, 0, 0, s);
            d.copyFromHost(src, 100, a, 120, 0);
        }
    }

    @Test
    void pinnedBuffersAreDirectLittleEndianAndFreeOnce() {
        Device d = device();
        PinnedBuffer p = d.allocatePinned(64);
        assertThat(p.buffer().isDirect()).isTrue();
        assertThat(p.buffer().order()).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(p.buffer().capacity()).isEqualTo(64);
        assertThat(p.byteSize()).isEqualTo(64);
        assertThat(p.isPageLocked()).isEqualTo(d.kind() == DeviceKind.CUDA);
        p.free();
        p.free();
        assertThat(p.isFreed()).isTrue();
        assertThatThrownBy(p::buffer).isInstanceOf(IllegalStateException.class).hasMessageContaining("freed");
        d.allocatePinned(0).free();
        assertThatThrownBy(() -> d.allocatePinned(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-1");
    }

    // ------------------------------------------------------------------------------------------- element-wise

    @Test
    void fillScaleDivideAxpyRoundLikeJava() {
        Device d = device();
        float[] x = random(2, 1000);
        float[] y = random(3, 1000);
        try (DeviceBuffer bx = d.upload(x); DeviceBuffer by = d.upload(y); DeviceStream s = d.createStream()) {
            d.axpy(0.3f, bx, 0, by, 0, 1000, s);
            d.scale(bx, 100, 500, -1.7f, s);
            d.divide(bx, 0, 1000, 3f, s);
            d.fill(by, 990, 10, 42f, s);
            s.synchronize();
            float[] ex = x.clone();
            float[] ey = y.clone();
            for (int i = 0; i < 1000; i++) {
                ey[i] = ey[i] + 0.3f * x[i];
            }
            for (int i = 100; i < 600; i++) {
                ex[i] = -1.7f * ex[i];
            }
            for (int i = 0; i < 1000; i++) {
                ex[i] = ex[i] / 3f;
            }
            for (int i = 990; i < 1000; i++) {
                ey[i] = 42f;
            }
            assertBits(d.download(bx), ex);
            assertBits(d.download(by), ey);
        }
    }

    @Test
    void reduceFollowsJavaSemanticsForEveryOp() {
        Device d = device();
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f, -2.25f,
            Float.MIN_VALUE, 3e38f};
        int n = special.length * special.length;
        float[] a = new float[n + 200];
        float[] b = new float[n + 200];
        for (int i = 0; i < special.length; i++) {
            for (int j = 0; j < special.length; j++) {
                a[i * special.length + j] = special[i];
                b[i * special.length + j] = special[j];
            }
        }
        float[] ra = random(4, 200);
        float[] rb = random(5, 200);
        System.arraycopy(ra, 0, a, n, 200);
        System.arraycopy(rb, 0, b, n, 200);
        for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX}) {
            try (DeviceBuffer src = d.upload(a); DeviceBuffer dst = d.allocate(a.length + 3)) {
                d.copyFromHost(b, 0, dst, 3, b.length);
                d.reduce(src, 0, dst, 3, a.length, op, null);
                float[] out = d.download(dst);
                float[] expected = new float[a.length];
                for (int i = 0; i < a.length; i++) {
                    float s = a[i];
                    float t = b[i];
                    expected[i] = op == ReduceOp.SUM ? s + t : op == ReduceOp.PROD ? s * t
                            : op == ReduceOp.MIN ? Math.min(s, t) : Math.max(s, t);
                }
                assertBits(java.util.Arrays.copyOfRange(out, 3, out.length), expected);
            }
        }
        try (DeviceBuffer x = d.allocate(4)) {
            assertThatThrownBy(() -> d.reduce(x, 0, x, 0, 4, ReduceOp.AVG, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AVG")
                    .hasMessageContaining("divide");
            assertThatThrownBy(() -> d.reduce(x, 0, x, 1, 3, ReduceOp.SUM, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        }
    }

    // ------------------------------------------------------------------------------------------- MLP math

    /** Row-major C = alpha·op(A)·op(B) + beta·C in double, the obvious way. */
    private static double[] naiveGemm(boolean ta, boolean tb, int m, int n, int k, float alpha, float[] a, int ao,
            int lda, float[] b, int bo, int ldb, float beta, float[] c, int co, int ldc) {
        double[] out = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            out[i] = c[i];
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double acc = 0;
                for (int p = 0; p < k; p++) {
                    double av = ta ? a[ao + p * lda + i] : a[ao + i * lda + p];
                    double bv = tb ? b[bo + j * ldb + p] : b[bo + p * ldb + j];
                    acc += av * bv;
                }
                double old = beta == 0f ? 0 : beta * (double) c[co + i * ldc + j];
                out[co + i * ldc + j] = alpha * acc + old;
            }
        }
        return out;
    }

    @Test
    void gemmMatchesNaiveLoopForAllTransposesStridesAndOffsets() {
        Device d = device();
        int[][] shapes = {{5, 7, 3}, {17, 33, 65}, {64, 10, 200}, {1, 1, 1}};
        long seed = 10;
        for (int[] shape : shapes) {
            int m = shape[0];
            int n = shape[1];
            int k = shape[2];
            for (boolean ta : new boolean[] {false, true}) {
                for (boolean tb : new boolean[] {false, true}) {
                    int aRows = ta ? k : m;
                    int aCols = ta ? m : k;
                    int bRows = tb ? n : k;
                    int bCols = tb ? k : n;
                    int lda = aCols + 3;
                    int ldb = bCols + 1;
                    int ldc = n + 2;
                    int ao = 4;
                    int bo = 1;
                    int co = 7;
                    float[] a = random(seed++, ao + aRows * lda);
                    float[] b = random(seed++, bo + bRows * ldb);
                    float[] c = random(seed++, co + m * ldc + 5);
                    for (float beta : new float[] {0.5f, 0f}) {
                        float[] c0 = c.clone();
                        if (beta == 0f) {
                            c0[co] = Float.NaN; // not read when beta is 0
                        }
                        double[] expected = naiveGemm(ta, tb, m, n, k, 1.5f, a, ao, lda, b, bo, ldb, beta, c0, co,
                                ldc);
                        try (DeviceBuffer ba = d.upload(a); DeviceBuffer bb = d.upload(b);
                                DeviceBuffer bc = d.upload(c0)) {
                            d.gemm(ta, tb, m, n, k, 1.5f, ba, ao, lda, bb, bo, ldb, beta, bc, co, ldc, null);
                            float[] out = d.download(bc);
                            double tol = 1e-5 * k * 4;
                            for (int i = 0; i < out.length; i++) {
                                assertThat((double) out[i]).as("%s%s m=%d n=%d k=%d beta=%s element %d",
                                        ta ? "T" : "N", tb ? "T" : "N", m, n, k, beta, i)
                                        .isCloseTo(expected[i], within(tol));
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void gemmEdgeCasesAndArgumentChecks() {
        Device d = device();
        try (DeviceBuffer a = d.upload(new float[] {1, 2, 3, 4}); DeviceBuffer b = d.upload(new float[] {5, 6, 7,
            8}); DeviceBuffer c = d.upload(new float[] {1, 1, 1, 1})) {
            d.gemm(false, false, 2, 2, 0, 1f, a, 0, 1, b, 0, 2, 3f, c, 0, 2, null); // k = 0: C = beta·C
            assertBits(d.download(c), new float[] {3, 3, 3, 3});
            d.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2, null);
            assertBits(d.download(c), new float[] {19, 22, 43, 50});
            d.gemm(true, true, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2, null); // A^T·B^T = (B·A)^T
            assertBits(d.download(c), new float[] {23, 31, 34, 46});
            assertThatThrownBy(() -> d.gemm(false, false, 2, 2, 2, 1f, a, 0, 1, b, 0, 2, 0f, c, 0, 2, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("A")
                    .hasMessageContaining("leading dimension");
            assertThatThrownBy(() -> d.gemm(false, false, 2, 2, 2, 1f, a, 1, 2, b, 0, 2, 0f, c, 0, 2, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs 5 floats");
            assertThatThrownBy(() -> d.gemm(false, false, 2, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, a, 0, 2, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.gemm(false, false, -1, 2, 2, 1f, a, 0, 2, b, 0, 2, 0f, c, 0, 2, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dimensions");
        }
    }

    @Test
    void biasReluAndColumnSums() {
        Device d = device();
        int rows = 37;
        int cols = 13;
        float[] x = random(20, rows * cols);
        float[] bias = random(21, cols);
        float[] grad = random(22, rows * cols);
        try (DeviceBuffer bx = d.upload(x); DeviceBuffer bb = d.upload(bias); DeviceBuffer act = d.allocate(
                rows * cols); DeviceBuffer bg = d.upload(grad); DeviceBuffer sums = d.allocate(cols + 2);
                DeviceStream s = d.createStream()) {
            d.addBias(bx, 0, rows, cols, bb, 0, s);
            d.relu(bx, 0, act, 0, rows * cols, s);
            d.reluBackward(act, 0, bg, 0, rows * cols, s);
            d.fill(sums, 0, cols + 2, 9f, s);
            d.columnSums(bg, 0, rows, cols, sums, 1, s);
            s.synchronize();
            float[] pre = new float[rows * cols];
            float[] post = new float[rows * cols];
            float[] g = grad.clone();
            float[] cs = new float[cols + 2];
            cs[0] = 9f;
            cs[cols + 1] = 9f;
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    int i = r * cols + j;
                    pre[i] = x[i] + bias[j];
                    post[i] = pre[i] > 0 ? pre[i] : 0f;
                    if (!(post[i] > 0)) {
                        g[i] = 0f;
                    }
                }
            }
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) {
                    cs[1 + j] = cs[1 + j] + g[r * cols + j];
                }
            }
            assertBits(d.download(bx), pre);
            assertBits(d.download(act), post);
            assertBits(d.download(bg), g);
            assertBits(d.download(sums), cs);
            // In place, and NaN gives 0.
            d.copyFromHost(new float[] {Float.NaN, -1f, 2f}, 0, bx, 0, 3);
            d.relu(bx, 0, bx, 0, 3, null);
            float[] r3 = new float[3];
            d.copyToHost(bx, 0, r3, 0, 3);
            assertBits(r3, new float[] {0f, 0f, 2f});
            // No rows: the sums are zero.
            d.columnSums(bg, 0, 0, cols, sums, 1, null);
            assertThat(d.download(sums)[1]).isZero();
            assertThatThrownBy(() -> d.addBias(bx, 0, rows, cols, bx, 5, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.columnSums(bx, 0, rows, cols, sums, 3, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out: offset 3");
        }
    }

    @Test
    void im2colCol2imAndMaxPoolingFollowTheirDefinitions() {
        Device d = device();
        int n = 2;
        int h = 5;
        int w = 6;
        int c = 3;
        int xs = n * h * w * c;
        float[] x = random(30, xs);
        for (int pad = 0; pad <= 2; pad++) {
            int k = 3;
            int oh = h + 2 * pad - k + 1;
            int ow = w + 2 * pad - k + 1;
            int kc = k * k * c;
            int colSize = n * oh * ow * kc;
            // Column matrix entry (img, oy, ox; ky, kx, ch) is the input pixel (oy - pad + ky, ox - pad + kx) or 0.
            float[] expectCol = new float[colSize];
            float[] dcol = random(31 + pad, colSize);
            float[] expectDx = new float[xs];
            for (int img = 0; img < n; img++) {
                for (int oy = 0; oy < oh; oy++) {
                    for (int ox = 0; ox < ow; ox++) {
                        for (int ky = 0; ky < k; ky++) {
                            for (int kx = 0; kx < k; kx++) {
                                for (int ch = 0; ch < c; ch++) {
                                    int iy = oy - pad + ky;
                                    int ix = ox - pad + kx;
                                    int at = ((img * oh + oy) * ow + ox) * kc + (ky * k + kx) * c + ch;
                                    if (iy >= 0 && iy < h && ix >= 0 && ix < w) {
                                        expectCol[at] = x[((img * h + iy) * w + ix) * c + ch];
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // col2im: per input element, the sum over its taps in increasing (ky, kx) order.
            for (int img = 0; img < n; img++) {
                for (int iy = 0; iy < h; iy++) {
                    for (int ix = 0; ix < w; ix++) {
                        for (int ch = 0; ch < c; ch++) {
                            float acc = 0f;
                            for (int ky = 0; ky < k; ky++) {
                                for (int kx = 0; kx < k; kx++) {
                                    int oy = iy + pad - ky;
                                    int ox = ix + pad - kx;
                                    if (oy >= 0 && oy < oh && ox >= 0 && ox < ow) {
                                        acc += dcol[((img * oh + oy) * ow + ox) * kc + (ky * k + kx) * c + ch];
                                    }
                                }
                            }
                            expectDx[((img * h + iy) * w + ix) * c + ch] = acc;
                        }
                    }
                }
            }
            try (DeviceBuffer bx = d.allocate(xs + 7); DeviceBuffer bc = d.allocate(colSize + 5);
                    DeviceBuffer bdc = d.upload(dcol); DeviceStream s = d.createStream()) {
                d.copyFromHost(x, 0, bx, 7, xs);
                d.im2col(bx, 7, n, h, w, c, k, pad, bc, 5, s);
                s.synchronize();
                float[] col = new float[colSize];
                d.copyToHost(bc, 5, col, 0, colSize);
                assertBits(col, expectCol);
                d.col2im(bdc, 0, n, h, w, c, k, pad, bx, 7, s);
                s.synchronize();
                float[] dx = new float[xs];
                d.copyToHost(bx, 7, dx, 0, xs);
                assertBits(dx, expectDx);
                // The two are adjoint: <im2col(x), dcol> = <x, col2im(dcol)>.
                double left = 0;
                double right = 0;
                for (int i = 0; i < colSize; i++) {
                    left += (double) expectCol[i] * dcol[i];
                }
                for (int i = 0; i < xs; i++) {
                    right += (double) x[i] * dx[i];
                }
                assertThat(left).isCloseTo(right, within(1e-4 * (1 + Math.abs(left))));
            }
        }
        // Max pooling 2x2 of 5x6 images: the last row is dropped; ties take the first tap; backward routes the
        // gradient to the maximum only.
        float[] px = x.clone();
        px[0] = 5f;
        px[c] = 5f; // a tie in the first window of channel 0: tap 0 wins
        int size = 2;
        int oh = h / size;
        int ow = w / size;
        int outs = n * oh * ow * c;
        float[] ey = new float[outs];
        float[] ea = new float[outs];
        float[] dy = random(40, outs);
        float[] edx = new float[xs];
        for (int img = 0; img < n; img++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        int o = ((img * oh + oy) * ow + ox) * c + ch;
                        float best = Float.NEGATIVE_INFINITY;
                        int tap = -1;
                        for (int t = 0; t < size * size; t++) {
                            float v = px[((img * h + oy * size + t / size) * w + ox * size + t % size) * c + ch];
                            if (tap < 0 || v > best) {
                                best = v;
                                tap = t;
                            }
                        }
                        ey[o] = best;
                        ea[o] = tap;
                        edx[((img * h + oy * size + tap / size) * w + ox * size + tap % size) * c + ch] = dy[o];
                    }
                }
            }
        }
        assertThat(ea[0]).isZero();
        try (DeviceBuffer bx = d.upload(px); DeviceBuffer by = d.allocate(outs + 3); DeviceBuffer ba = d.allocate(
                outs); DeviceBuffer bdy = d.upload(dy); DeviceBuffer bdx = d.allocate(xs);
                DeviceStream s = d.createStream()) {
            d.fill(bdx, 0, xs, 7f, s);
            d.maxPool(bx, 0, n, h, w, c, size, by, 3, ba, 0, s);
            d.maxPoolBackward(bdy, 0, ba, 0, n, h, w, c, size, bdx, 0, s);
            s.synchronize();
            float[] y = new float[outs];
            d.copyToHost(by, 3, y, 0, outs);
            assertBits(y, ey);
            assertBits(d.download(ba), ea);
            assertBits(d.download(bdx), edx);
            assertThatThrownBy(() -> d.im2col(bx, 0, n, h, w, c, 7, 0, by, 0, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not fit");
            assertThatThrownBy(() -> d.maxPool(bx, 0, n, h, w, c, size, bx, 1, ba, 0, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.col2im(by, 0, n, h, w, c, 3, 1, bx, 0, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("col: offset 0");
        }
    }

    @Test
    void softmaxCrossEntropyMatchesTheFormulaAndFiniteDifferences() {
        Device d = device();
        int rows = 6;
        int cols = 10;
        float[] x = random(30, rows * cols);
        for (int i = 0; i < cols; i++) {
            x[cols + i] += 40f; // a row with large logits: stable only if the maximum is subtracted
        }
        float[] labels = {3, 0, 9, 5, 5, 1};
        float scale = 1f / rows;
        try (DeviceBuffer bx = d.upload(x); DeviceBuffer bl = d.upload(labels); DeviceBuffer bg = d.allocate(
                rows * cols); DeviceBuffer loss = d.allocate(rows); DeviceBuffer total = d.allocate(1)) {
            d.softmaxCrossEntropy(bx, 0, rows, cols, bl, 0, scale, bg, 0, loss, 0, null);
            float[] g = d.download(bg);
            float[] l = d.download(loss);
            for (int r = 0; r < rows; r++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < cols; j++) {
                    max = Math.max(max, x[r * cols + j]);
                }
                double sum = 0;
                for (int j = 0; j < cols; j++) {
                    sum += Math.exp(x[r * cols + j] - max);
                }
                int y = (int) labels[r];
                assertThat((double) l[r]).isCloseTo(Math.log(sum) - (x[r * cols + y] - max), within(1e-5));
                for (int j = 0; j < cols; j++) {
                    double p = Math.exp(x[r * cols + j] - max) / sum;
                    assertThat((double) g[r * cols + j]).isCloseTo(scale * (p - (j == y ? 1 : 0)), within(1e-6));
                }
            }
            // Finite differences of the mean loss.
            for (int i : new int[] {0, 7, 13, 31, 59}) {
                double h = 1e-2;
                double[] f = new double[2];
                for (int side = 0; side < 2; side++) {
                    float[] xp = x.clone();
                    xp[i] += side == 0 ? h : -h;
                    d.copyFromHost(xp, 0, bx, 0, xp.length);
                    d.softmaxCrossEntropy(bx, 0, rows, cols, bl, 0, scale, bg, 0, loss, 0, null);
                    d.columnSums(loss, 0, rows, 1, total, 0, null);
                    f[side] = d.download(total)[0] / (double) rows;
                }
                assertThat((f[0] - f[1]) / (2 * h)).as("d loss / d x[%d]", i).isCloseTo(g[i], within(2e-3));
            }
            // In place: the gradient overwrites the logits.
            d.copyFromHost(x, 0, bx, 0, x.length);
            d.softmaxCrossEntropy(bx, 0, rows, cols, bl, 0, scale, bx, 0, loss, 0, null);
            assertBits(d.download(bx), g);
            // Labels that are not a class give NaN for their row only.
            d.copyFromHost(x, 0, bx, 0, x.length);
            d.copyFromHost(new float[] {-1, 10, 2.5f, Float.NaN, 4, 4}, 0, bl, 0, rows);
            d.softmaxCrossEntropy(bx, 0, rows, cols, bl, 0, scale, bg, 0, loss, 0, null);
            float[] bad = d.download(loss);
            float[] badGrad = d.download(bg);
            for (int r = 0; r < 4; r++) {
                assertThat(bad[r]).isNaN();
                assertThat(badGrad[r * cols]).isNaN();
            }
            assertThat(bad[4]).isFinite();
            assertThatThrownBy(() -> d.softmaxCrossEntropy(bx, 0, rows, cols, bl, 0, scale, bg, 0, bg, 0, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        }
    }

    // ------------------------------------------------------------------------------------------- optimizer

    @Test
    void sgdStepEqualsTheJavaFormulaBitForBitWithAndWithoutMomentum() {
        Device d = device();
        int n = 1000;
        float[] w = random(40, n + 10);
        float[] g = random(41, n + 10);
        float[] v = random(42, n + 10);
        w[3] = -0f;
        g[4] = -0f;
        float lr = 0.05f;
        float wd = 1e-3f;
        for (int mode = 0; mode < 3; mode++) {
            float mu = mode == 0 ? 0f : 0.9f;
            boolean nesterov = mode == 2;
            float[] ew = w.clone();
            float[] ev = v.clone();
            // Two steps, so the second one reads the velocity the first one wrote.
            for (int step = 0; step < 2; step++) {
                for (int i = 0; i < n; i++) {
                    int wi = 5 + i;
                    int gi = 2 + i;
                    int vi = 7 + i;
                    float dd = g[gi] + wd * ew[wi];
                    if (mu == 0f) {
                        ew[wi] = ew[wi] - lr * dd;
                    } else {
                        float vel = mu * ev[vi] + dd;
                        ev[vi] = vel;
                        ew[wi] = ew[wi] - lr * (nesterov ? dd + mu * vel : vel);
                    }
                }
            }
            try (DeviceBuffer bw = d.upload(w); DeviceBuffer bg = d.upload(g); DeviceBuffer bv = d.upload(v);
                    DeviceStream s = d.createStream()) {
                for (int step = 0; step < 2; step++) {
                    d.sgdStep(bw, 5, bg, 2, mode == 0 ? null : bv, 7, n, lr, mu, wd, nesterov, s);
                }
                s.synchronize();
                assertBits(d.download(bw), ew);
                assertBits(d.download(bv), ev);
            }
        }
        try (DeviceBuffer a = d.allocate(10); DeviceBuffer b = d.allocate(10)) {
            d.sgdStep(a, 0, b, 0, null, 0, 0, lr, 0f, wd, false, null);
            assertThatThrownBy(() -> d.sgdStep(a, 0, b, 0, null, 0, 10, lr, 0.9f, wd, false, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("velocity is null");
            assertThatThrownBy(() -> d.sgdStep(a, 0, a, 3, b, 0, 5, lr, 0.9f, wd, false, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.sgdStep(a, 0, b, 0, a, 0, 5, lr, 0.9f, wd, false, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.sgdStep(a, 6, b, 0, null, 0, 5, lr, 0f, wd, false, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("params: offset 6");
        }
    }

    // ------------------------------------------------------------------------------------------- streams, events

    @Test
    void eventsOrderTwoStreams() {
        Device d = device();
        int n = 1 << 16;
        try (DeviceBuffer a = d.allocate(n); DeviceBuffer b = d.allocate(n); DeviceStream s1 = d.createStream();
                DeviceStream s2 = d.createStream(); DeviceEvent e = d.createEvent()) {
            assertThat(e.isComplete()).isTrue(); // never recorded
            s2.waitFor(e); // never recorded: no wait
            for (int round = 1; round <= 20; round++) {
                d.fill(a, 0, n, round, s1);
                d.scale(a, 0, n, 2f, s1);
                e.record(s1);
                s2.waitFor(e);
                d.copy(a, 0, b, 0, n, s2);
                s2.synchronize();
                float[] out = new float[n];
                d.copyToHost(b, 0, out, 0, n);
                assertThat(out[0]).isEqualTo(2f * round);
                assertThat(out[n - 1]).isEqualTo(2f * round);
            }
            e.synchronize();
            assertThat(e.isComplete()).isTrue();
            d.synchronize();
        }
    }

    // ------------------------------------------------------------------------------------------- errors

    @Test
    void badArgumentsAreRejectedWithClearMessages() {
        Device d = device();
        assertThatThrownBy(() -> d.allocate(-5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("-5");
        try (DeviceBuffer b = d.allocate(10); Device other = HostDevice.create();
                DeviceBuffer foreign = other.allocate(10)) {
            assertThatThrownBy(() -> d.copyFromHost(new float[5], 0, b, 8, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 8 + count 5")
                    .hasMessageContaining("10 floats");
            assertThatThrownBy(() -> d.copyToHost(b, 0, new float[5], 1, 5))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float[5]");
            assertThatThrownBy(() -> d.copyFromHost(ByteBuffer.allocate(40), 0, b, 0, 10, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("heap ByteBuffer");
            assertThatThrownBy(() -> d.copyToHost(b, 0, ByteBuffer.allocateDirect(40), 4, 10, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("capacity 40");
            assertThatThrownBy(() -> d.copyToHost(b, 0, ByteBuffer.allocateDirect(40).asReadOnlyBuffer(), 0, 10,
                    null)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
            assertThatThrownBy(() -> d.fill(b, -1, 2, 0f, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("offset must be >= 0");
            assertThatThrownBy(() -> d.scale(b, 0, -2, 1f, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("count must be >= 0");
            assertThatThrownBy(() -> d.copy(b, 0, b, 3, 5, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("overlaps");
            assertThatThrownBy(() -> d.reduce(b, 0, b, 0, 1, null, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("op is null");
            assertThatThrownBy(() -> d.fill(foreign, 0, 1, 0f, null))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("belongs to");
            assertThatThrownBy(() -> d.fill(b, 0, 1, 0f, other.defaultStream()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("stream belongs to");
            assertThatThrownBy(() -> d.fill(null, 0, 1, 0f, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("buf is null");
        }
    }

    @Test
    void freeIsIdempotentAndUseAfterFreeIsAnError() {
        Device d = device();
        DeviceBuffer b = d.upload(new float[] {1, 2, 3});
        assertThat(b.count()).isEqualTo(3);
        assertThat(b.byteSize()).isEqualTo(12);
        assertThat(b.device()).isSameAs(d);
        b.free();
        b.free();
        assertThat(b.isFreed()).isTrue();
        assertThatThrownBy(() -> d.download(b)).isInstanceOf(IllegalStateException.class).hasMessageContaining(
                "was freed");
        assertThatThrownBy(() -> d.fill(b, 0, 3, 1f, null)).isInstanceOf(IllegalStateException.class);
        try (DeviceBuffer empty = d.allocate(0)) {
            assertThat(d.download(empty)).isEmpty();
        }
        DeviceStream s = d.createStream();
        s.close();
        s.close();
        try (DeviceBuffer one = d.allocate(1)) {
            assertThatThrownBy(() -> d.fill(one, 0, 1, 0f, s)).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed");
        }
    }
}

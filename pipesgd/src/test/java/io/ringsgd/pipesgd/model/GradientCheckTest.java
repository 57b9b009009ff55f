package io.ringsgd.pipesgd.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.pipesgd.data.Batch;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The analytic gradients of the built-in models against central finite differences of their loss. */
@Timeout(60)
class GradientCheckTest {

    private static Batch randomBatch(int n, int features, int classes, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        Batch b = new Batch(n, features);
        b.resize(n);
        for (int i = 0; i < n * features; i++) {
            b.features()[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < n; i++) {
            b.labels()[i] = r.nextInt(classes);
        }
        return b;
    }

    /** Checks every parameter (small models) with step h; returns the worst relative error. */
    private static double check(Model m, long seed, int n) {
        float[] w = new float[m.parameterCount()];
        m.initialize(w, seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (0.05 * r.nextGaussian()); // non-zero biases too
        }
        Batch b = randomBatch(n, m.inputSize(), m.classCount(), seed + 2);
        float[] g = new float[w.length];
        double loss = m.lossAndGradient(w, b, g);
        assertThat(loss).isPositive();
        float[] scratch = new float[w.length];
        double worst = 0;
        int skipped = 0;
        float h = 1e-2f;
        for (int i = 0; i < w.length; i++) {
            float keep = w[i];
            float hi = keep + h;
            float lo = keep - h;
            w[i] = hi;
            double up = m.lossAndGradient(w, b, scratch);
            w[i] = lo;
            double down = m.lossAndGradient(w, b, scratch);
            w[i] = keep;
            double fd = (up - down) / ((double) hi - (double) lo);
            // A ReLU kink inside the stencil makes the one-sided slopes disagree: such a point has no derivative to
            // compare with, so it is skipped (a wrong gradient shows up as a smooth mismatch, not as this).
            double fwd = (up - loss) / ((double) hi - keep);
            double bwd = (loss - down) / ((double) keep - lo);
            if (Math.abs(fwd - bwd) > 0.05 * Math.max(1e-2, Math.abs(fwd) + Math.abs(bwd))) {
                skipped++;
                continue;
            }
            double err = Math.abs(fd - g[i]) / Math.max(1e-2, Math.abs(fd) + Math.abs(g[i]));
            worst = Math.max(worst, err);
        }
        assertThat(skipped).as("parameters skipped at ReLU kinks").isLessThan(w.length / 10);
        return worst;
    }

    @Test
    void softmaxRegressionGradientMatchesFiniteDifferences() {
        double worst = check(new SoftmaxRegression(7, 4), 11, 9);
        assertThat(worst).isLessThan(2e-3);
    }

    @Test
    void mlpGradientMatchesFiniteDifferences() {
        double worst = check(new Mlp(6, new int[] {5, 4}, 3), 21, 8);
        assertThat(worst).isLessThan(2e-3);
    }

    @Test
    void mlpWithOneHiddenLayerGradientMatchesFiniteDifferences() {
        double worst = check(new Mlp(10, new int[] {12}, 5), 31, 16);
        assertThat(worst).isLessThan(2e-3);
    }

    @Test
    void gradientIsOverwrittenNotAccumulatedAndBatchSizeMayChange() {
        Mlp m = new Mlp(6, new int[] {5}, 3);
        float[] w = new float[m.parameterCount()];
        m.initialize(w, 3);
        Batch big = randomBatch(12, 6, 3, 4);
        Batch small = randomBatch(3, 6, 3, 5);
        float[] g1 = new float[w.length];
        float[] g2 = new float[w.length];
        java.util.Arrays.fill(g2, 123f);
        double l1 = m.lossAndGradient(w, small, g1);
        m.lossAndGradient(w, big, new float[w.length]); // grows the work buffers
        double l2 = m.lossAndGradient(w, small, g2);
        assertThat(l2).isEqualTo(l1);
        assertThat(g2).containsExactly(g1);
    }

    @Test
    void evaluationCountsArgmaxAndLossConsistently() {
        SoftmaxRegression m = new SoftmaxRegression(2, 2);
        // Weights so that class = argmax(x0, x1): W = identity, b = 0.
        float[] w = {1, 0, 0, 1, 0, 0};
        Batch b = new Batch(3, 2);
        b.resize(3);
        float[] x = b.features();
        x[0] = 0.9f; x[1] = 0.1f; b.labels()[0] = 0; // correct
        x[2] = 0.2f; x[3] = 0.7f; b.labels()[1] = 1; // correct
        x[4] = 0.6f; x[5] = 0.3f; b.labels()[2] = 1; // wrong
        Evaluation.Tally t = new Evaluation.Tally();
        m.evaluateBatch(w, b, t);
        assertThat(t.samples()).isEqualTo(3);
        assertThat(t.correct()).isEqualTo(2);
        double expected = 0;
        double[][] z = {{0.9, 0.1}, {0.2, 0.7}, {0.6, 0.3}};
        int[] y = {0, 1, 1};
        for (int i = 0; i < 3; i++) {
            expected += Math.log(Math.exp(z[i][0]) + Math.exp(z[i][1])) - z[i][y[i]];
        }
        assertThat(t.lossSum()).isCloseTo(expected, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(m.lossAndGradient(w, b, new float[6])).isCloseTo(expected / 3,
                org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void initializationDependsOnlyOnTheSeedAndHasTheRightScale() {
        Mlp m = new Mlp(784, new int[] {256, 128}, 10);
        assertThat(m.parameterCount()).isEqualTo(784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10);
        float[] a = new float[m.parameterCount()];
        float[] b = new float[m.parameterCount()];
        m.initialize(a, 7);
        m.initialize(b, 7);
        assertThat(b).containsExactly(a);
        m.initialize(b, 8);
        assertThat(b).isNotEqualTo(a);
        // He normal for the first layer: variance 2 / 784.
        double sq = 0;
        for (int i = 0; i < 784 * 256; i++) {
            sq += a[i] * a[i];
        }
        assertThat(sq / (784 * 256)).isCloseTo(2.0 / 784, org.assertj.core.data.Percentage.withPercentage(3));
        // Biases start at zero.
        for (int i = 784 * 256; i < 784 * 256 + 256; i++) {
            assertThat(a[i]).isZero();
        }
        // Glorot uniform for the output layer: |w| <= sqrt(6 / (128 + 10)).
        int out = 784 * 256 + 256 + 256 * 128 + 128;
        for (int i = out; i < out + 1280; i++) {
            assertThat(Math.abs(a[i])).isLessThanOrEqualTo((float) Math.sqrt(6.0 / 138));
        }
    }

    @Test
    void wrongShapesAreRejectedWithClearMessages() {
        Mlp m = new Mlp(4, new int[] {3}, 2);
        assertThatThrownBy(() -> m.lossAndGradient(new float[5], randomBatch(2, 4, 2, 1),
                new float[m.parameterCount()])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameter vector has 5 floats");
        assertThatThrownBy(() -> m.lossAndGradient(new float[m.parameterCount()], randomBatch(2, 5, 2, 1),
                new float[m.parameterCount()])).hasMessageContaining("5 features");
        Batch bad = randomBatch(2, 4, 2, 1);
        bad.labels()[1] = 7;
        assertThatThrownBy(() -> m.lossAndGradient(new float[m.parameterCount()], bad,
                new float[m.parameterCount()])).hasMessageContaining("label 7");
        assertThatThrownBy(() -> new Mlp(4, new int[0], 2)).hasMessageContaining("at least one hidden layer");
        assertThatThrownBy(() -> Models.factory("resnet", new int[0])).hasMessageContaining("unknown model");
    }
}

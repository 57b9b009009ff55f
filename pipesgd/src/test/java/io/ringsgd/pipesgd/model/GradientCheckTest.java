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
        return check(m, seed, n, false, 1e-2f);
    }

    /**
     * {@link #check(Model, long, int)} with step {@code h}; with {@code positive} every weight is made positive, so
     * that (the inputs being positive) every ReLU is active and the loss is smooth in every parameter.
     */
    private static double check(Model m, long seed, int n, boolean positive, float h) {
        float[] w = new float[m.parameterCount()];
        m.initialize(w, seed);
        SplittableRandom r = new SplittableRandom(seed + 1);
        for (int i = 0; i < w.length; i++) {
            w[i] += (float) (0.05 * r.nextGaussian()); // non-zero biases too
            if (positive) {
                w[i] = Math.abs(w[i]) * 0.3f + 0.01f;
            }
        }
        Batch b = randomBatch(n, m.inputSize(), m.classCount(), seed + 2);
        float[] g = new float[w.length];
        double loss = m.lossAndGradient(w, b, g);
        assertThat(loss).isPositive();
        float[] scratch = new float[w.length];
        double worst = 0;
        int skipped = 0;
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
    void convolutionAndPoolingGradientsMatchFiniteDifferences() {
        // 8x8 images: a padded 3x3 convolution, 2x2 pooling, a valid 3x3 convolution (its input gradient goes
        // through col2im and the pooling's backward pass into the first one), a dense layer, the output. A
        // convolution weight moves hundreds of pre-activations, so a step of any size crosses some ReLU kinks
        // (where the loss has no derivative) at random weights: with positive weights on positive images every
        // ReLU is active, the loss is smooth, and every parameter is compared (float sums over 27-tap windows
        // leave about 1e-3 of noise in the differences).
        ConvNet m = new ConvNet("cnn", CnnSpec.parse("c3k3p1-pool2-c4k3-d5"), 64, 3);
        assertThat(m.parameterCount()).isEqualTo(3 * 9 + 3 + 27 * 4 + 4 + 16 * 5 + 5 + 5 * 3 + 3);
        assertThat(check(m, 41, 6, true, 1e-3f)).isLessThan(1e-2);
        // At random weights (ReLUs cut) with one sample, few kinks are crossed; the check skips those it sees.
        assertThat(check(new ConvNet("cnn", CnnSpec.parse("c2k3p1-pool2-c3k3-d4"), 36, 3), 43, 1, false, 1e-3f))
                .isLessThan(2e-2);
    }

    @Test
    void poolingFirstAndUnevenShapesGradientsMatchFiniteDifferences() {
        // 7x7 images: pooling first (drops the last row and column), a 2x2 convolution with padding 1 whose output
        // grows, a 3x3 pooling, two dense layers.
        ConvNet m = new ConvNet("cnn", CnnSpec.parse("pool2-c2k2p1-pool3-d4-d3"), 49, 4);
        assertThat(check(m, 51, 5, true, 1e-3f)).isLessThan(1e-2);
    }

    @Test
    void cnnShapesParametersAndErrors() {
        Model cnn = Models.factory("cnn", new int[0]).create(784, 10);
        assertThat(cnn.parameterCount()).isEqualTo(127462);
        assertThat(cnn.describe()).isEqualTo("cnn 28x28x1-c16k5p2-pool2-c32k5-pool2-d128-d84-10");
        Model large = Models.factory("CNN-Large", new int[0]).create(784, 10);
        assertThat(large.parameterCount()).isEqualTo(1663370).isGreaterThanOrEqualTo(1_000_000);
        assertThat(Models.factory("cnn:c8k3p1-pool2-d16", new int[0]).create(784, 10).describe())
                .isEqualTo("cnn 28x28x1-c8k3p1-pool2-d16-10");
        float[] a = new float[cnn.parameterCount()];
        float[] b = new float[cnn.parameterCount()];
        cnn.initialize(a, 7);
        cnn.initialize(b, 7);
        assertThat(b).containsExactly(a);
        // He normal for the first convolution: variance 2 / 25 over its 400 weights; zero biases.
        double sq = 0;
        for (int i = 0; i < 400; i++) {
            sq += a[i] * a[i];
        }
        assertThat(sq / 400).isCloseTo(2.0 / 25, org.assertj.core.data.Percentage.withPercentage(20));
        for (int i = 400; i < 416; i++) {
            assertThat(a[i]).isZero();
        }
        assertThatThrownBy(() -> Models.factory("cnn", new int[0]).create(12, 3))
                .hasMessageContaining("square one-channel images").hasMessageContaining("12 features");
        assertThatThrownBy(() -> Models.factory("cnn:c8k3-c8x", new int[0]))
                .hasMessageContaining("cannot read 'c8x'");
        assertThatThrownBy(() -> Models.factory("cnn:d10", new int[0])).hasMessageContaining("no convolution");
        assertThatThrownBy(() -> Models.factory("cnn:c4k9", new int[0]).create(49, 3))
                .hasMessageContaining("does not fit its 7x7 input");
        assertThatThrownBy(() -> Models.factory("cnn:c4k3p3", new int[0])).hasMessageContaining("0 <= P < K");
    }

    @Test
    void cnnEvaluationInChunksEqualsTheTrainingForwardPass() {
        // 150 samples are evaluated in chunks of 64; the summed loss equals the mean loss of one forward pass of all
        // 150 (the gradient call) times 150, and evaluating in one chunk changes nothing but the rounding.
        ConvNet m = new ConvNet("cnn", CnnSpec.parse("c3k3p1-pool2-d6"), 36, 4);
        float[] w = new float[m.parameterCount()];
        m.initialize(w, 3);
        Batch big = randomBatch(150, 36, 4, 9);
        Evaluation.Tally t = new Evaluation.Tally();
        m.evaluateBatch(w, big, t);
        double loss = m.lossAndGradient(w, big, new float[w.length]);
        assertThat(t.samples()).isEqualTo(150);
        assertThat(t.lossSum() / 150).isCloseTo(loss, org.assertj.core.data.Offset.offset(1e-9));
        Evaluation.Tally again = new Evaluation.Tally(); // now in one chunk of 150 (the buffers hold 150)
        m.evaluateBatch(w, big, again);
        assertThat(again.lossSum()).isCloseTo(t.lossSum(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(again.correct()).isEqualTo(t.correct());
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

package io.ringsgd.pipesgd.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.Mlp;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.model.PerSampleGradients;
import io.ringsgd.pipesgd.model.SoftmaxRegression;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-sample weighting of the dense models (norms from the error signals, no per-sample gradients) against one
 * gradient call per sample, and the per-sample loop that the convolutional model takes against its batch gradient.
 */
@Timeout(30)
class PerSampleGradientsTest {
    private static final int FEATURES = 12;
    private static final int CLASSES = 3;

    @Test
    void denseModelsWeightEachSampleByItsOwnGradientNorm() {
        for (Model m : List.of(new Mlp(FEATURES, new int[] {8, 6}, CLASSES), new SoftmaxRegression(FEATURES, CLASSES),
                new Mlp(FEATURES, new int[] {5}, CLASSES))) {
            float[] params = params(m, 3);
            Batch b = batch(9, FEATURES, 11);
            for (SampleWeighting w : List.of(new PsacWeighting(0.7, 0.1), new ClipWeighting(0.3),
                    new AutoSWeighting(2, 0.01))) {
                List<Double> seenDense = new ArrayList<>();
                float[] dense = new float[m.parameterCount()];
                double loss = ((PerSampleGradients) m).weightedGradientSum(params, b, x -> {
                    seenDense.add(x);
                    return w.factor(x);
                }, dense);
                List<Double> seenLoop = new ArrayList<>();
                float[] loop = new float[m.parameterCount()];
                double loopLoss = new PerSampleLoop(m).weightedGradientSum(params, b, x -> {
                    seenLoop.add(x);
                    return w.factor(x);
                }, loop);
                assertThat(loss).isCloseTo(loopLoss, within(1e-6));
                assertThat(seenDense).hasSize(9);
                for (int i = 0; i < 9; i++) {
                    assertThat(seenDense.get(i)).as("%s sample %d", m.describe(), i)
                            .isCloseTo(seenLoop.get(i), within(1e-5 * seenLoop.get(i)));
                }
                assertClose(dense, loop, m.describe() + " " + w.name());
            }
        }
    }

    @Test
    void unitWeightsGiveTheBatchSizeTimesTheMeanGradient() {
        Model dense = new Mlp(FEATURES, new int[] {8, 6}, CLASSES);
        Model cnn = Models.factory("cnn:c4k3p1-pool2-c6k3-d8", new int[0]).create(64, CLASSES);
        for (Model m : List.of(dense, cnn)) {
            float[] params = params(m, 5);
            Batch b = batch(7, m.inputSize(), 2);
            float[] mean = new float[m.parameterCount()];
            double meanLoss = m.lossAndGradient(params, b, mean);
            for (int j = 0; j < mean.length; j++) {
                mean[j] *= 7;
            }
            float[] sum = new float[m.parameterCount()];
            double loss = m instanceof PerSampleGradients p ? p.weightedGradientSum(params, b, x -> 1.0, sum)
                    : new PerSampleLoop(m).weightedGradientSum(params, b, x -> 1.0, sum);
            assertThat(loss).isCloseTo(meanLoss, within(1e-6));
            assertClose(sum, mean, m.describe());
        }
    }

    @Test
    void anEmptyBatchGivesAZeroGradient() {
        Model m = new Mlp(FEATURES, new int[] {4}, CLASSES);
        float[] g = new float[m.parameterCount()];
        java.util.Arrays.fill(g, 7f);
        Batch b = batch(3, FEATURES, 1);
        b.resize(0);
        assertThat(((PerSampleGradients) m).weightedGradientSum(params(m, 1), b, x -> 1.0, g)).isZero();
        assertThat(g).containsOnly(0f);
    }

    private static void assertClose(float[] actual, float[] expected, String what) {
        double scale = 0;
        for (float v : expected) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertThat(scale).as("a gradient that is not zero").isGreaterThan(1e-3);
        for (int j = 0; j < expected.length; j++) {
            assertThat((double) actual[j]).as("%s element %d", what, j).isCloseTo(expected[j], within(1e-5 * scale));
        }
    }

    private static float[] params(Model m, long seed) {
        float[] p = new float[m.parameterCount()];
        m.initialize(p, seed);
        return p;
    }

    /** n samples of Gaussian features (positive and negative: some ReLUs are off) and random labels. */
    static Batch batch(int n, int features, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Batch b = new Batch(n, features);
        b.resize(n);
        for (int i = 0; i < n * features; i++) {
            b.features()[i] = (float) rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            b.labels()[i] = rnd.nextInt(CLASSES);
        }
        return b;
    }
}

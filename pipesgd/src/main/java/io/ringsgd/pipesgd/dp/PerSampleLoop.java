package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.Model;
import java.util.function.DoubleUnaryOperator;

/**
 * Per-sample weighting for any {@link Model}: one gradient call per sample (a batch of one), its norm, its weight, and
 * the weighted sum. Exact but as slow as n batches of one; the dense built-in models avoid it (see
 * {@link io.ringsgd.pipesgd.model.PerSampleGradients}), the convolutional ones and models of users take it.
 */
final class PerSampleLoop {
    private final Model model;
    private final Batch one;
    private final float[] sample;

    PerSampleLoop(Model model) {
        this.model = model;
        this.one = new Batch(1, model.inputSize());
        this.sample = new float[model.parameterCount()];
    }

    double weightedGradientSum(float[] params, Batch batch, DoubleUnaryOperator weight, float[] grad) {
        java.util.Arrays.fill(grad, 0f);
        int n = batch.size();
        double lossSum = 0;
        int features = batch.featureCount();
        for (int i = 0; i < n; i++) {
            System.arraycopy(batch.features(), i * features, one.features(), 0, features);
            one.labels()[0] = batch.labels()[i];
            one.resize(1);
            lossSum += model.lossAndGradient(params, one, sample);
            double sq = 0;
            for (float g : sample) {
                sq += (double) g * g;
            }
            float w = (float) weight.applyAsDouble(Math.sqrt(sq));
            for (int j = 0; j < grad.length; j++) {
                grad[j] += w * sample[j];
            }
        }
        return n == 0 ? 0.0 : lossSum / n;
    }
}

package io.ringsgd.pipesgd.model;

import io.ringsgd.pipesgd.data.Batch;
import java.util.function.DoubleUnaryOperator;

/**
 * A {@link Model} that can weight each sample's gradient by a function of that gradient's own norm, as differentially
 * private SGD needs (per-sample clipping or normalisation before the noise). The built-in dense models (mlp, softmax)
 * implement it without materialising the per-sample gradients.
 */
public interface PerSampleGradients {

    /**
     * Overwrites {@code grad} with {@code Σ_i weight(‖g_i‖) · g_i}, where {@code g_i} is the gradient of sample i's
     * own loss (not divided by the batch size) and ‖·‖ the Euclidean norm over all parameters. The result is a sum,
     * not a mean: the caller divides (by the expected batch size, for DP-SGD).
     *
     * @param params the parameters, read only
     * @param batch  the samples; an empty batch gives a zero gradient
     * @param weight the factor of a sample as a function of its gradient norm; called once per sample, in order
     * @param grad   overwritten; length {@code parameterCount()}
     * @return the mean loss of the batch (0 for an empty batch)
     */
    double weightedGradientSum(float[] params, Batch batch, DoubleUnaryOperator weight, float[] grad);
}

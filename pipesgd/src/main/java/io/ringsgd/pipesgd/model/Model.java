package io.ringsgd.pipesgd.model;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Dataset;

/**
 * A trainable classifier whose parameters are one flat float vector, so that trainers can all-reduce, average,
 * checkpoint and compare them without knowing the model. An instance owns its work buffers (reused across calls, grown
 * only when a larger batch arrives) and is not thread-safe: each worker creates its own through a
 * {@link ModelFactory} and calls it from its training thread only. Parameters and gradients are passed in, never
 * kept. Methods are plain computations: they block only for the time they compute.
 *
 * <p>To train a model of your own, implement this interface (the gradient must be that of the mean loss, and
 * deterministic: ranks compare the bits of the parameters they end with) and pass its factory to
 * {@code TrainConfig.Builder.modelFactory}; such a run computes on the CPU.
 */
public interface Model {

    /**
     * A one-line description for logs and summaries.
     *
     * @return e.g. "mlp 784-256-128-10"
     */
    String describe();

    /**
     * Features per sample.
     *
     * @return the input size
     */
    int inputSize();

    /**
     * Number of classes (labels are 0 … classCount−1).
     *
     * @return the class count
     */
    int classCount();

    /**
     * Length of the parameter (and gradient) vector.
     *
     * @return the parameter count
     */
    int parameterCount();

    /**
     * Writes initial parameters determined only by {@code seed}, so that every rank starts identical.
     *
     * @param params overwritten; length {@link #parameterCount()}
     * @param seed   the seed
     */
    void initialize(float[] params, long seed);

    /**
     * Computes the mean loss of {@code batch} at {@code params} and overwrites {@code grad} with the gradient of that
     * mean loss.
     *
     * @param params the parameters, read only; length {@link #parameterCount()}
     * @param batch  the samples (its first {@code size()} rows)
     * @param grad   overwritten with the gradient; length {@link #parameterCount()}
     * @return the mean loss of the batch
     */
    double lossAndGradient(float[] params, Batch batch, float[] grad);

    /**
     * Adds the batch's summed loss, correct predictions (the most probable class is the label) and sample count to
     * {@code tally}.
     *
     * @param params the parameters, read only
     * @param batch  the samples
     * @param tally  the running sums to add to
     */
    void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally);

    /**
     * Accuracy and mean loss of {@code params} on all of {@code data}, in batches of 500 through
     * {@link #evaluateBatch}.
     *
     * @param params the parameters, read only
     * @param data   the samples, e.g. the test set of {@code TrainTestData}
     * @return the evaluation (NaN accuracy and loss for an empty set)
     */
    default Evaluation evaluate(float[] params, Dataset data) {
        Evaluation.Tally tally = new Evaluation.Tally();
        int step = Math.min(500, Math.max(1, data.size()));
        Batch batch = new Batch(step, data.featureCount());
        for (int from = 0; from < data.size(); from += step) {
            int n = Math.min(step, data.size() - from);
            batch.resize(n);
            for (int i = 0; i < n; i++) {
                batch.set(i, data, from + i);
            }
            evaluateBatch(params, batch, tally);
        }
        return tally.result();
    }
}

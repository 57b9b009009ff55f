package io.ringsgd.pipesgd.model;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Dataset;

/**
 * A trainable classifier whose parameters are one flat float vector, so that trainers can all-reduce, average,
 * checkpoint and compare them without knowing the model. An instance owns its work buffers (reused across calls, grown
 * only when a larger batch arrives) and is used by one thread; each worker creates its own through a
 * {@link ModelFactory}. Parameters and gradients are passed in, never kept.
 */
public interface Model {

    /** A one-line description, e.g. "mlp 784-256-128-10". */
    String describe();

    /** Features per sample. */
    int inputSize();

    /** Number of classes (labels are 0 … classCount−1). */
    int classCount();

    /** Length of the parameter (and gradient) vector. */
    int parameterCount();

    /** Writes initial parameters determined only by {@code seed}, so that every rank starts identical. */
    void initialize(float[] params, long seed);

    /**
     * Computes the mean loss of {@code batch} at {@code params} and overwrites {@code grad} (length
     * {@link #parameterCount()}) with the gradient of that mean loss. Returns the mean loss.
     */
    double lossAndGradient(float[] params, Batch batch, float[] grad);

    /** Adds the batch's summed loss, correct predictions and sample count to {@code tally}. */
    void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally);

    /** Accuracy and mean loss of {@code params} on all of {@code data} (batches of 500). */
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

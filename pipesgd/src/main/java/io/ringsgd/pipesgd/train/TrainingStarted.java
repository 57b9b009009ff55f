package io.ringsgd.pipesgd.train;

/**
 * What a run is about to do, sent once per rank before the first iteration (the CLI prints it, including the data
 * description that says when the embedded subset is used).
 *
 * @param trainer           trainer name
 * @param rank              this rank
 * @param workers           ranks in the group
 * @param width             pipeline width K (1 for synchronous trainers)
 * @param model             model description, e.g. "mlp 784-256-128-10"
 * @param parameterCount    parameters of the model
 * @param data              where the data came from
 * @param embeddedData      true if the embedded Fashion-MNIST subset stands in for the full set
 * @param iterationsPerEpoch iterations (mini-batches per worker) in an epoch
 * @param totalIterations   iterations of the whole run
 * @param startIteration    first iteration to run (above 0 when resuming)
 * @param blas              the BLAS implementation doing the matrix products
 */
public record TrainingStarted(String trainer, int rank, int workers, int width, String model, int parameterCount,
        String data, boolean embeddedData, int iterationsPerEpoch, long totalIterations, long startIteration,
        String blas) {
}

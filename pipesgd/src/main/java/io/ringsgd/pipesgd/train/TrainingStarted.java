package io.ringsgd.pipesgd.train;

/**
 * What a run is about to do, sent once per rank before the first iteration (the CLI prints it, including the data
 * description that says when the embedded subset is used, and the device line).
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
 * @param blas              the BLAS implementation doing the matrix products on the CPU path
 * @param device            where this rank computes: "cpu", or the device's name ("cuda:0 NVIDIA ...",
 *                          "host (Java, ...)")
 * @param deviceReason      why: "--device cpu", "no CUDA device: ...", "auto: 1 CUDA device found", ...
 */
public record TrainingStarted(String trainer, int rank, int workers, int width, String model, int parameterCount,
        String data, boolean embeddedData, int iterationsPerEpoch, long totalIterations, long startIteration,
        String blas, String device, String deviceReason) {

    /**
     * The form without the device, for callers written before it existed: the CPU.
     *
     * @param trainer            trainer name
     * @param rank               this rank
     * @param workers            ranks in the group
     * @param width              pipeline width K
     * @param model              model description
     * @param parameterCount     parameters of the model
     * @param data               where the data came from
     * @param embeddedData       true if the embedded Fashion-MNIST subset stands in for the full set
     * @param iterationsPerEpoch iterations in an epoch
     * @param totalIterations    iterations of the whole run
     * @param startIteration     first iteration to run
     * @param blas               the BLAS implementation
     */
    public TrainingStarted(String trainer, int rank, int workers, int width, String model, int parameterCount,
            String data, boolean embeddedData, int iterationsPerEpoch, long totalIterations, long startIteration,
            String blas) {
        this(trainer, rank, workers, width, model, parameterCount, data, embeddedData, iterationsPerEpoch,
                totalIterations, startIteration, blas, "cpu", "");
    }

    /**
     * One line for the CLI.
     *
     * @return e.g. "device: cpu (no CUDA device: ...)"
     */
    public String deviceSummary() {
        return "device: " + device + (deviceReason == null || deviceReason.isEmpty() ? "" : " (" + deviceReason
                + ")");
    }
}

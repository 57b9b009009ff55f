package io.ringsgd.pipesgd.train;

/**
 * Totals of one epoch on one rank (of the iterations this run executed, if it resumed mid-epoch).
 *
 * @param rank          the rank
 * @param epoch         0-based epoch
 * @param iterations    iterations run in the epoch
 * @param iterationsDone iterations completed in the run at the end of the epoch
 * @param meanLoss      mean of this rank's mini-batch losses
 * @param computeNanos  time computing
 * @param commWaitNanos time blocked waiting for communication
 * @param trainSeconds  training time since the start at the end of the epoch
 */
public record EpochStats(int rank, int epoch, long iterations, long iterationsDone, double meanLoss, long computeNanos,
        long commWaitNanos, double trainSeconds) {
}

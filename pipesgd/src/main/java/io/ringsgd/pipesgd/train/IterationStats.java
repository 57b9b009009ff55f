package io.ringsgd.pipesgd.train;

/**
 * One iteration on one rank.
 *
 * @param rank          the rank
 * @param iteration     0-based iteration (mini-batch) index
 * @param epoch         0-based epoch of the iteration
 * @param loss          this rank's mean mini-batch loss
 * @param learningRate  rate of the update applied at this iteration (0 if none was applied, e.g. filling a pipeline)
 * @param computeNanos  time computing (batch, forward, backward, compression, update)
 * @param commWaitNanos time blocked waiting for AllReduce results ({@code Request.await})
 * @param trainSeconds  training time since the start, evaluation and checkpoint time excluded
 */
public record IterationStats(int rank, long iteration, int epoch, double loss, double learningRate,
        long computeNanos, long commWaitNanos, double trainSeconds) {
}

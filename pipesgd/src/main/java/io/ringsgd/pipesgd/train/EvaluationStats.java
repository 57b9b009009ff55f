package io.ringsgd.pipesgd.train;

/**
 * A test-set evaluation; every rank evaluates the same parameters and hears the same numbers.
 *
 * @param rank             the rank
 * @param iterations       iterations completed when evaluated
 * @param epoch            epoch of the last completed iteration
 * @param testAccuracy     fraction of test samples classified correctly
 * @param testLoss         mean test loss
 * @param evalSeconds      time this evaluation took (not training time)
 * @param trainSeconds     training time so far (evaluation and checkpoints excluded)
 * @param wallSeconds      wall-clock time since the start
 * @param last             true for the final evaluation of the run
 */
public record EvaluationStats(int rank, long iterations, int epoch, double testAccuracy, double testLoss,
        double evalSeconds, double trainSeconds, double wallSeconds, boolean last) {
}

package io.ringsgd.benchmarks.experiment;

import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.TrainResult;
import java.util.List;

/** What one arm of the experiment measured, and what the timing model predicted for it. */
record ExperimentResult(ExperimentArm arm, TrainResult run, double predictedIterationMs) {

    double meanIterationMs() {
        return run.meanIterationMs();
    }

    double finalAccuracy() {
        return run.finalTestAccuracy();
    }

    /** Training seconds (evaluation excluded) of the first evaluation at or above {@code target}, or NaN. */
    double timeToTarget(double target) {
        List<EvaluationStats> evals = run.evaluations();
        for (EvaluationStats e : evals) {
            if (e.testAccuracy() >= target) {
                return e.trainSeconds();
            }
        }
        return Double.NaN;
    }
}

package io.ringsgd.benchmarks.experiment;

import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.TrainResult;
import java.util.ArrayList;
import java.util.List;

/**
 * What one arm of the experiment measured (per iteration: its mean time, compute and wait; its test accuracy against
 * training time) and what the timing model predicted for it; {@code bound} says what limited it ("link", "CPU", or
 * "" where unknown).
 */
record ExperimentResult(ExperimentArm arm, double meanIterationMs, double computeMs, double waitMs,
        double finalAccuracy, List<Point> evaluations, double predictedIterationMs, String bound) {

    /** One evaluation: training seconds (evaluation excluded) and test accuracy (0..1). */
    record Point(double trainSeconds, double accuracy) {
    }

    /** The result of an in-JVM run (rank 0's {@link TrainResult}). */
    static ExperimentResult of(ExperimentArm arm, TrainResult r, double predictedIterationMs) {
        long its = Math.max(1, r.iterationsRun());
        List<Point> points = new ArrayList<>();
        for (EvaluationStats e : r.evaluations()) {
            points.add(new Point(e.trainSeconds(), e.testAccuracy()));
        }
        return new ExperimentResult(arm, r.meanIterationMs(), r.meanComputeMs() / its, r.meanCommWaitMs() / its,
                r.finalTestAccuracy(), points, predictedIterationMs, "");
    }

    /** Training seconds (evaluation excluded) of the first evaluation at or above {@code target}, or NaN. */
    double timeToTarget(double target) {
        for (Point p : evaluations) {
            if (p.accuracy() >= target) {
                return p.trainSeconds();
            }
        }
        return Double.NaN;
    }
}

package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import java.util.Locale;

/**
 * What {@link IterationModel} predicts for one {@link TrainerSpec}: the time of one training iteration (one mini-batch
 * per rank) in steady state and its parts, in seconds.
 *
 * @param spec             what was predicted
 * @param algorithm        the AllReduce algorithm that runs (AUTO resolved; the ring when compressed; AUTO for the
 *                         parameter server, which has none)
 * @param iterationSeconds steady-state time per iteration
 * @param computeSeconds   per iteration: compute, error feedback, and the AllReduce CPU work that competes with it
 * @param allreduceSeconds one AllReduce of the trainer's vector (gradient, or model for CoCoD) including the AVG
 *                         division; for the parameter server, one push and pull
 * @param exposedSeconds   communication per iteration that nothing hides: iteration − compute (≥ 0)
 */
public record Prediction(TrainerSpec spec, Algorithm algorithm, double iterationSeconds, double computeSeconds,
        double allreduceSeconds, double exposedSeconds) {

    /** {@link #iterationSeconds()} in milliseconds, the unit of the tables and of {@code predicted_iteration_ms}. */
    public double iterationMillis() {
        return iterationSeconds * 1e3;
    }

    /** True if the iteration is bound by communication (the AllReduce chain), false if by compute. */
    public boolean communicationBound() {
        return exposedSeconds > 1e-3 * iterationSeconds;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (%s): %.3f ms/iteration (compute %.3f ms, allreduce %.3f ms, exposed"
                + " %.3f ms)", spec.label(), algorithm.cliName(), iterationSeconds * 1e3, computeSeconds * 1e3,
                allreduceSeconds * 1e3, exposedSeconds * 1e3);
    }
}

package io.ringsgd.pipesgd.optim;

import java.util.Map;

/**
 * Applies a gradient to the parameters. Deterministic: the same parameters, gradient, rate and state give the same
 * bits on every rank, which keeps data-parallel replicas identical. Its state is exposed for checkpoints.
 */
public interface Optimizer {

    /** Updates {@code params} in place with {@code grad} at learning rate {@code lr}. */
    void step(float[] params, float[] grad, double lr);

    /**
     * The optimizer's state arrays by name (e.g. "momentum"), live (not copies): a checkpoint saves them and a resume
     * overwrites their contents.
     */
    Map<String, float[]> state();

    /** A one-line description, e.g. "sgd momentum 0.9 nesterov weight-decay 0.0001". */
    String describe();
}

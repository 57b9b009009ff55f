package io.ringsgd.pipesgd.train;

import io.ringsgd.pipesgd.optim.Schedule;

/**
 * The optimizer and learning-rate schedule of a run: SGD with momentum, weight decay, and a schedule after a linear
 * warm-up. The constructor rejects bad values with a one-line {@link IllegalArgumentException} naming the flag.
 *
 * @param lr           base learning rate ({@code --lr}; default: the trainer's)
 * @param momentum     momentum μ, 0 = plain SGD ({@code --momentum}; default: the trainer's)
 * @param nesterov     Nesterov momentum ({@code --nesterov})
 * @param weightDecay  L2 weight decay ({@code --weight-decay})
 * @param schedule     learning-rate schedule after the warm-up ({@code --schedule})
 * @param warmupEpochs linear learning-rate warm-up in epochs, may be fractional ({@code --warmup-epochs})
 * @param stepEpochs   epochs between learning-rate steps of the step schedule ({@code --step-epochs})
 * @param stepFactor   factor of each learning-rate step ({@code --step-factor})
 */
public record OptimizerConfig(double lr, double momentum, boolean nesterov, double weightDecay, Schedule schedule,
        double warmupEpochs, int stepEpochs, double stepFactor) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to pass instead
     */
    public OptimizerConfig {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("learning rate must be a positive number, got " + lr
                    + ": pass --lr 0.05 for example");
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum
                    + ": pass --momentum 0.9 (or 0 for plain SGD)");
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum > 0: pass --momentum 0.9 or "
                    + "drop --nesterov");
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay
                    + ": pass --weight-decay 0.0001 or 0");
        }
        if (schedule == null) {
            throw new IllegalArgumentException("schedule is null: pass --schedule constant, step or cosine");
        }
        if (!(warmupEpochs >= 0) || Double.isInfinite(warmupEpochs)) {
            throw new IllegalArgumentException("warm-up must be a finite number of epochs >= 0, got "
                    + warmupEpochs + ": pass --warmup-epochs 0.5 or 0");
        }
        if (stepEpochs < 1) {
            throw new IllegalArgumentException("step-epochs must be at least 1, got " + stepEpochs
                    + ": pass --step-epochs 1");
        }
        if (!(stepFactor > 0) || Double.isInfinite(stepFactor)) {
            throw new IllegalArgumentException("step factor must be a positive number, got " + stepFactor
                    + ": pass --step-factor 0.5");
        }
    }
}

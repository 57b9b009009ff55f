package io.ringsgd.pipesgd.train;

/**
 * A trainer's defaults for the settings every trainer shares, used where the user gives none: its learning rate
 * ({@code --lr}) and momentum ({@code --momentum}).
 *
 * @param lr       base learning rate
 * @param momentum momentum μ (0 = plain SGD)
 */
public record TrainerDefaults(double lr, double momentum) {
    /** The defaults of the gradient trainers (sync, pipe): lr 0.05, momentum 0.8. */
    public static final TrainerDefaults STANDARD = new TrainerDefaults(0.05, 0.8);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to pass instead
     */
    public TrainerDefaults {
        if (!(lr > 0) || Double.isInfinite(lr)) {
            throw new IllegalArgumentException("a default learning rate must be a positive number, got " + lr);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("a default momentum must be in [0, 1), got " + momentum);
        }
    }
}

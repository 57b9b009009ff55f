package io.ringsgd.pipesgd.optim;

/**
 * The learning rate of each iteration t (0-based, counted in gradients computed): a linear warm-up
 * base·(t+1)/W over the first W iterations, then
 * <ul>
 *   <li>constant: base;</li>
 *   <li>step: base·factor^⌊t / (k·iterations per epoch)⌋, i.e. multiplied by the factor every k epochs;</li>
 *   <li>cosine: base·½(1 + cos(π·(t−W)/(T−W))), from base at the end of the warm-up towards 0 at T.</li>
 * </ul>
 * A pure function of t, so a resumed run gets the same rates.
 */
public final class LrSchedule {
    private final double base;
    private final Schedule kind;
    private final long warmup;
    private final long stepIterations;
    private final double stepFactor;
    private final long total;

    /**
     * @param base           the base learning rate (> 0)
     * @param kind           the shape after the warm-up
     * @param warmup         warm-up iterations (0 for none)
     * @param stepIterations iterations between steps (STEP only; > 0)
     * @param stepFactor     factor applied at each step (STEP only)
     * @param total          total iterations of the run (COSINE only; > warmup)
     */
    public LrSchedule(double base, Schedule kind, long warmup, long stepIterations, double stepFactor, long total) {
        if (!(base > 0) || Double.isInfinite(base)) {
            throw new IllegalArgumentException("learning rate must be positive, got " + base);
        }
        if (warmup < 0) {
            throw new IllegalArgumentException("warm-up iterations must be >= 0, got " + warmup);
        }
        if (kind == Schedule.STEP && (stepIterations < 1 || !(stepFactor > 0))) {
            throw new IllegalArgumentException("a step schedule needs a step of at least one iteration and a "
                    + "positive factor, got " + stepIterations + " and " + stepFactor);
        }
        this.base = base;
        this.kind = kind;
        this.warmup = warmup;
        this.stepIterations = stepIterations;
        this.stepFactor = stepFactor;
        this.total = total;
    }

    /** The learning rate of iteration {@code t}. */
    public double rate(long t) {
        if (t < warmup) {
            return base * (t + 1) / warmup;
        }
        switch (kind) {
            case STEP:
                return base * Math.pow(stepFactor, (double) (t / stepIterations));
            case COSINE: {
                long span = Math.max(1, total - warmup);
                double p = Math.min(1.0, (double) (t - warmup) / span);
                return base * 0.5 * (1 + Math.cos(Math.PI * p));
            }
            default:
                return base;
        }
    }

    /**
     * The base learning rate.
     *
     * @return the rate after the warm-up, before any decay
     */
    public double base() {
        return base;
    }

    /**
     * The schedule's shape.
     *
     * @return constant, step or cosine
     */
    public Schedule kind() {
        return kind;
    }

    @Override
    public String toString() {
        return kind.cliName() + " lr " + base + (warmup > 0 ? " warm-up " + warmup + " iterations" : "")
                + (kind == Schedule.STEP ? " x" + stepFactor + " every " + stepIterations + " iterations" : "");
    }
}

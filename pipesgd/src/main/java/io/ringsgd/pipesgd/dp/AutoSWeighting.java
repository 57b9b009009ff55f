package io.ringsgd.pipesgd.dp;

/**
 * Auto-S, automatic clipping (Bu et al.): w(x) = C / (x + γ), every gradient normalised to norm just under C. The
 * weight grows monotonically as the norm falls, up to C / γ for a vanishing gradient.
 */
public final class AutoSWeighting implements SampleWeighting {
    /** {@code --dp} name. */
    public static final String NAME = "autos";
    /** The stability constant γ (Auto-S's suggested 0.01). */
    public static final double DEFAULT_GAMMA = 0.01;

    private final double clip;
    private final double gamma;

    /**
     * Auto-S with bound {@code clip} and stability constant {@code gamma}.
     *
     * @throws IllegalArgumentException if either is not positive and finite
     */
    public AutoSWeighting(double clip, double gamma) {
        this.clip = Checks.positive(clip, "clip bound");
        this.gamma = Checks.positive(gamma, "gamma");
    }

    @Override
    public double factor(double norm) {
        return clip / (norm + gamma);
    }

    @Override
    public String name() {
        return NAME;
    }
}

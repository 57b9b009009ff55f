package io.ringsgd.pipesgd.dp;

/**
 * DP-PSAC's per-sample adaptive weight, w(x) = C / (x + r / (x + r)) for a gradient of norm x. It is Auto-S's
 * normalisation C / (x + γ) with a stability term that shrinks as the norm grows, γ(x) = r / (x + r): γ(0) = 1, so a
 * vanishing gradient gets weight C instead of Auto-S's C / γ, and γ → 0 for large norms, so large gradients are
 * normalised to norm C. The weighted norm x·w(x) = C·x / (x + γ(x)) stays below C (the sensitivity). The weight is
 * not monotonic: the denominator falls until x = √r − r and rises after, so the largest weight, C / (2√r − r), goes
 * to gradients of norm √r − r, not to the smallest ones.
 */
public final class PsacWeighting implements SampleWeighting {
    /** {@code --dp} name. */
    public static final String NAME = "psac";
    /** The r of the stability term (DP-PSAC's public code uses 0.01 to 0.1). */
    public static final double DEFAULT_R = 0.1;

    private final double clip;
    private final double r;

    /**
     * The weight with bound {@code clip} and stability parameter {@code r}.
     *
     * @throws IllegalArgumentException if either is not positive and finite
     */
    public PsacWeighting(double clip, double r) {
        this.clip = Checks.positive(clip, "clip bound");
        this.r = Checks.positive(r, "r");
    }

    @Override
    public double factor(double norm) {
        return clip / (norm + r / (norm + r));
    }

    @Override
    public String name() {
        return NAME;
    }
}

package io.ringsgd.pipesgd.dp;

/** DP-SGD's constant clipping (Abadi et al.): w(x) = min(1, C / x), so a gradient longer than C is cut to C. */
public final class ClipWeighting implements SampleWeighting {
    /** {@code --dp} name. */
    public static final String NAME = "clip";

    private final double clip;

    /**
     * Clipping at {@code clip}.
     *
     * @throws IllegalArgumentException if it is not positive and finite
     */
    public ClipWeighting(double clip) {
        this.clip = Checks.positive(clip, "clip bound");
    }

    @Override
    public double factor(double norm) {
        return norm <= clip ? 1.0 : clip / norm;
    }

    @Override
    public String name() {
        return NAME;
    }
}

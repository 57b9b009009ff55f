package io.ringsgd.pipesgd.dp;

/** Argument checks shared by the DP classes. */
final class Checks {
    private Checks() {
    }

    /** {@code v} if it is positive and finite. */
    static double positive(double v, String what) {
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be positive and finite, got " + v);
        }
        return v;
    }
}

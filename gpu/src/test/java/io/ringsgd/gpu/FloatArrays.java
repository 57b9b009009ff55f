package io.ringsgd.gpu;

/** Comparisons of float vectors for tests that check results within a tolerance (shared through the test jar). */
public final class FloatArrays {
    private FloatArrays() {
    }

    /** The largest |a[i] − b[i]| over the length of {@code a}. */
    public static double maxAbsDiff(float[] a, float[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    /** The largest |a[i]|, to show a vector is not trivially small. */
    public static double maxAbs(float[] a) {
        double m = 0;
        for (float v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }
}

package io.ringsgd.pipesgd.data;

/**
 * Derives independent, reproducible seeds from a job seed and coordinates (epoch, rank, purpose), so that a run can be
 * resumed anywhere: a rank's shuffle of epoch e depends only on (seed, e, rank), never on what ran before.
 */
public final class Seeds {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private Seeds() {
    }

    /** The SplitMix64 finalizer: a bijective mixing of 64 bits. */
    public static long splitMix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A seed for (seed, a, b), e.g. (job seed, epoch, rank). */
    public static long derive(long seed, long a, long b) {
        long h = splitMix(seed + GOLDEN);
        h = splitMix(h ^ (a + 2 * GOLDEN));
        return splitMix(h ^ (b + 3 * GOLDEN));
    }
}

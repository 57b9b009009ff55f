package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.data.Seeds;
import java.util.SplittableRandom;

/**
 * One rank's share of DP-SGD's noise. The job must add N(0, σ²C²) to each coordinate of the global sum of weighted
 * gradients once per step; each of the P ranks adds N(0, σ²C²/P) to its own sum before the AllReduce, and the sum of
 * P independent such draws is exactly N(0, σ²C²). The draws of rank r at step t come from a generator seeded by
 * (job seed, t, r), so ranks draw independently of each other, steps independently of each other, and a resumed run
 * draws the same noise.
 */
public final class GaussianNoise {
    /** Keeps these draws apart from every other use of (seed, t, r). */
    private static final long SALT = 0x0B5E_55ED_6A55_1A41L;

    private final long seed;
    private final int rank;
    private final double std;

    /**
     * Rank {@code rank}'s share of the noise of multiplier {@code sigma} and clip bound {@code clip} in a job of
     * {@code ranks} ranks.
     */
    public GaussianNoise(long seed, int rank, int ranks, double sigma, double clip) {
        if (rank < 0 || rank >= ranks) {
            throw new IllegalArgumentException("rank " + rank + " is not in a group of " + ranks + " ranks");
        }
        this.seed = seed;
        this.rank = rank;
        this.std = Checks.positive(sigma, "noise multiplier") * Checks.positive(clip, "clip bound")
                / Math.sqrt(ranks);
    }

    /** Adds this rank's noise of step {@code step} to every element of {@code v}. */
    public void add(float[] v, long step) {
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed ^ SALT, step, rank));
        for (int j = 0; j < v.length; j++) {
            v[j] += (float) (std * rnd.nextGaussian());
        }
    }

    /** The standard deviation this rank adds: σC/√P. */
    public double std() {
        return std;
    }
}

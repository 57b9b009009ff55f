package io.ringsgd.pipesgd.train;

import java.util.Locale;

/**
 * A rank made slower on purpose, for experiments with workers of unequal speed ({@code --straggler RANK:FACTOR}):
 * every gradient computation of rank {@code rank} takes {@code factor} times as long as it would. After computing, the
 * rank waits (factor − 1) times the compute time it just measured, parked (it uses no CPU while it waits), so it
 * behaves like a machine that computes {@code factor} times slower without taking the other ranks' cores. Applies to
 * every trainer, because it wraps the model the session computes with (CPU only).
 *
 * @param rank   the slow rank, 0 … workers − 1
 * @param factor how many times as long its compute takes, &gt;= 1
 */
public record Straggler(int rank, double factor) {

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException (one line) for a negative rank or a factor below 1 or not finite
     */
    public Straggler {
        if (rank < 0) {
            throw new IllegalArgumentException("--straggler " + rank + ":" + factor + ": the rank must be >= 0");
        }
        if (!(factor >= 1) || Double.isInfinite(factor)) {
            throw new IllegalArgumentException("--straggler " + rank + ":" + factor
                    + ": the factor must be a number >= 1 (2 makes the rank's compute take twice as long)");
        }
    }

    /**
     * Parses {@code RANK:FACTOR}, e.g. {@code 3:2}.
     *
     * @param spec the text
     * @return the straggler
     * @throws IllegalArgumentException (one line) naming what was wrong
     */
    public static Straggler parse(String spec) {
        String[] parts = spec.trim().split(":");
        if (parts.length != 2) {
            throw new IllegalArgumentException("--straggler '" + spec + "' is not RANK:FACTOR: pass e.g. --straggler"
                    + " 3:2 (rank 3 computes twice as long)");
        }
        int rank;
        double factor;
        try {
            rank = Integer.parseInt(parts[0].trim());
            factor = Double.parseDouble(parts[1].trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--straggler '" + spec + "' is not RANK:FACTOR with an integer rank"
                    + " and a number factor: pass e.g. --straggler 3:2");
        }
        return new Straggler(rank, factor);
    }

    /** The {@code RANK:FACTOR} form. */
    @Override
    public String toString() {
        return rank + ":" + (factor == Math.rint(factor) ? Long.toString((long) factor)
                : String.format(Locale.ROOT, "%s", factor));
    }
}

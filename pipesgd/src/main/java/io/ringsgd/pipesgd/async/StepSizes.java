package io.ringsgd.pipesgd.async;

import java.util.Locale;

/**
 * The step size α_n of the n-th update (n = 0, 1, …) the asynchronous master applies ({@code --lr-schedule}):
 * <ul>
 *   <li>{@code constant}: α_n = α₀.</li>
 *   <li>{@code poly}: α_n = α₀ / (1 + n/s)^q, with q = {@code --lr-power} and s = {@code --lr-scale} updates.</li>
 *   <li>{@code quasilinear}: α_n = α₀ · g(m₀) / g(m₀ + n/s), g(m) = m · ln m · ln ln m, m₀ = e^e: a step size
 *       ∝ 1/(n log n log log n), the "quasilinear" sequence of DASGD (Zhou, Mertikopoulos, Bambos, Glynn, Ye,
 *       "Distributed Asynchronous Optimization with Unbounded Delays: How Slow Can You Go?", ICML 2018). What the
 *       paper states in its abstract: "by using a judiciously chosen quasilinear step-size sequence, we show that it
 *       is possible to amortize these delays and achieve global convergence with probability 1, even when the delays
 *       grow at a polynomial rate" (and its journal version, arXiv 2107.02919: convergence to the critical set in
 *       mean square, and to a global optimum with probability 1 on variationally coherent problems, under the same
 *       delays). The exact sequence and its constants are in the paper's theorems, whose text was not available
 *       where this was written (only the abstracts were): 1/(n log n log log n) is the quasilinear sequence this
 *       trainer takes the abstract to mean, not checked against the theorem's statement. What a step size needs for
 *       the classic stochastic-approximation argument holds for it: Σα_n diverges (barely) while Σα_n²
 *       converges. The offset m₀ = e^e makes ln ln m ≥ 1 from the start and the factor g(m₀) makes
 *       α_0 = α₀; the scale s (updates per unit of m) stretches the sequence in time without changing its
 *       shape.</li>
 * </ul>
 * Immutable.
 */
public final class StepSizes {
    /** The schedules by name. */
    public enum Kind {
        /** α₀ throughout. */
        CONSTANT,
        /** α₀ / (1 + n/s)^q. */
        POLY,
        /** DASGD's quasilinear sequence. */
        QUASILINEAR;

        /** The command-line name. */
        public String cliName() {
            return name().toLowerCase(Locale.ROOT);
        }

        /**
         * Parses a command-line name.
         *
         * @param s constant, poly or quasilinear
         * @return the kind
         * @throws IllegalArgumentException (one line) for another name
         */
        public static Kind parse(String s) {
            for (Kind k : values()) {
                if (k.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown --lr-schedule '" + s + "': use constant, poly or quasilinear");
        }
    }

    private static final double M0 = Math.exp(Math.E);
    private final Kind kind;
    private final double alpha0;
    private final double power;
    private final double scale;

    /**
     * A schedule.
     *
     * @param kind   which
     * @param alpha0 α₀ &gt; 0
     * @param power  q &gt; 0 (poly only)
     * @param scale  s &gt; 0 updates (poly and quasilinear)
     */
    public StepSizes(Kind kind, double alpha0, double power, double scale) {
        if (!(alpha0 > 0) || !(power > 0) || !(scale > 0)) {
            throw new IllegalArgumentException("step sizes need alpha0, power and scale > 0, got " + alpha0 + ", "
                    + power + ", " + scale);
        }
        this.kind = kind;
        this.alpha0 = alpha0;
        this.power = power;
        this.scale = scale;
    }

    /**
     * The step size of update {@code n}.
     *
     * @param n the update's index, &gt;= 0
     * @return α_n
     */
    public double at(long n) {
        return switch (kind) {
            case CONSTANT -> alpha0;
            case POLY -> alpha0 / Math.pow(1 + n / scale, power);
            case QUASILINEAR -> alpha0 * g(M0) / g(M0 + n / scale);
        };
    }

    private static double g(double m) {
        return m * Math.log(m) * Math.log(Math.log(m));
    }

    /** The schedule's kind. */
    public Kind kind() {
        return kind;
    }
}

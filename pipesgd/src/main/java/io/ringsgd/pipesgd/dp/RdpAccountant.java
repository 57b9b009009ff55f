package io.ringsgd.pipesgd.dp;

/**
 * Rényi DP of the sampled Gaussian mechanism (Mironov, Talwar and Zhang 2019), composed over steps and converted to
 * (ε, δ)-DP. One step adds N(0, σ²C²) to the sum of a Poisson sample (each record in with probability q) of gradients
 * of norm at most C; for an integer order α ≥ 2 its RDP is exactly
 * <pre>
 *   ε_α = log( Σ_{k=0..α} binom(α, k) (1−q)^(α−k) q^k exp((k² − k) / (2σ²)) ) / (α − 1)
 * </pre>
 * (α / (2σ²) for q = 1, the plain Gaussian mechanism). T steps compose to T·ε_α, and (ε, δ)-DP follows from the
 * standard conversion ε = min over α of T·ε_α + log(1/δ) / (α − 1) (Mironov 2017), taken over the integer orders
 * 2 … {@value #MAX_ORDER}. Sums run in log space. Immutable.
 */
public final class RdpAccountant {
    /** The largest order of the grid. */
    public static final int MAX_ORDER = 256;

    private final double q;
    private final double sigma;
    /** rdp[α] for α = 2 … MAX_ORDER. */
    private final double[] rdp = new double[MAX_ORDER + 1];

    /**
     * The accountant of steps with sampling rate {@code q} and noise multiplier {@code sigma}.
     *
     * @throws IllegalArgumentException if q is not in [0, 1] or sigma not positive
     */
    public RdpAccountant(double q, double sigma) {
        if (!(q >= 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate must be in [0, 1], got " + q);
        }
        this.q = q;
        this.sigma = Checks.positive(sigma, "noise multiplier");
        for (int a = 2; a <= MAX_ORDER; a++) {
            rdp[a] = rdp(q, sigma, a);
        }
    }

    /**
     * The RDP of one step at integer order {@code alpha}: the closed form of the class comment.
     *
     * @param q     sampling rate in [0, 1]
     * @param sigma noise multiplier (noise std over the clip bound), positive
     * @param alpha the order, at least 2
     * @return ε_α of one step
     */
    public static double rdp(double q, double sigma, int alpha) {
        if (alpha < 2) {
            throw new IllegalArgumentException("the closed form needs an integer order of at least 2, got " + alpha);
        }
        if (q == 0) {
            return 0.0;
        }
        double logQ = Math.log(q);
        double log1mQ = Math.log1p(-q);
        double twoVar = 2 * sigma * sigma;
        double[] logBinom = logBinomials(alpha);
        double[] terms = new double[alpha + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k <= alpha; k++) {
            // k = alpha has no (1-q) factor; writing it as 0·log(0) would give NaN at q = 1.
            double fromRest = k == alpha ? 0.0 : (alpha - k) * log1mQ;
            double fromSample = k == 0 ? 0.0 : k * logQ;
            terms[k] = logBinom[k] + fromRest + fromSample + ((double) k * k - k) / twoVar;
            max = Math.max(max, terms[k]);
        }
        double sum = 0;
        for (double t : terms) {
            if (t != Double.NEGATIVE_INFINITY) {
                sum += Math.exp(t - max);
            }
        }
        return (max + Math.log(sum)) / (alpha - 1);
    }

    /**
     * log binom(α, k) for k = 0 … α, from the binomials in double precision (finite up to α ≈ 1020), filled from
     * both ends so that binom(α, α) is exactly 1 like binom(α, 0).
     */
    private static double[] logBinomials(int alpha) {
        double[] out = new double[alpha + 1];
        double b = 1;
        for (int k = 0; k <= alpha / 2; k++) {
            if (k > 0) {
                b = b * (alpha - k + 1) / k;
            }
            out[k] = Math.log(b);
            out[alpha - k] = out[k];
        }
        return out;
    }

    /**
     * ε after {@code steps} steps at {@code delta}: the smallest bound over the orders of the grid.
     *
     * @param steps steps taken (0 gives 0)
     * @param delta in (0, 1)
     * @return ε
     */
    public double epsilon(long steps, double delta) {
        if (!(delta > 0 && delta < 1)) {
            throw new IllegalArgumentException("delta must be in (0, 1), got " + delta);
        }
        if (steps < 0) {
            throw new IllegalArgumentException("steps must not be negative, got " + steps);
        }
        if (steps == 0 || q == 0) {
            return 0.0;
        }
        double best = Double.POSITIVE_INFINITY;
        for (int a = 2; a <= MAX_ORDER; a++) {
            best = Math.min(best, steps * rdp[a] + Math.log(1 / delta) / (a - 1));
        }
        return best;
    }

    /** The sampling rate. */
    public double samplingRate() {
        return q;
    }

    /** The noise multiplier. */
    public double noiseMultiplier() {
        return sigma;
    }
}

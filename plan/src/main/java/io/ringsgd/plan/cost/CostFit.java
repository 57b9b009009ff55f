package io.ringsgd.plan.cost;

import io.ringsgd.collectives.Algorithm;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Least-squares fit of α, β and γ to measured AllReduce times: each sample (algorithm, P, bytes, seconds) says
 * a·α + b·β + c·γ ≈ seconds with (a, b, c) = {@link CostModel#terms}. Errors are weighted relative to the measured
 * time (minimizing Σ((predicted − measured) / measured)²), so that an 8-byte sample weighs as much as a 4 MB one and
 * α is not drowned by the long messages. The 3×3 normal equations are solved directly; a parameter that would come out
 * negative is pinned to zero and the others refitted (non-negative least squares over the 7 subsets of free
 * parameters), since a negative time per byte is noise, not physics.
 *
 * <p>β and γ can only be told apart if the samples mix algorithms whose bytes moved and bytes reduced are in different
 * ratios: ring, Rabenseifner and tree all move twice what they reduce, recursive doubling moves as much as it reduces.
 * α and β need different message sizes. Input that cannot determine all three is rejected, saying what to add.
 */
public final class CostFit {

    /** One measurement: an AllReduce of {@code bytes} on {@code ranks} ranks took {@code seconds}. */
    public record Sample(Algorithm algorithm, int ranks, long bytes, double seconds) {
        public Sample {
            if (algorithm == null || !CostModel.ALGORITHMS.contains(algorithm)) {
                throw new IllegalArgumentException("sample algorithm must be one of ring, recursive-doubling,"
                        + " rabenseifner, tree, got " + algorithm);
            }
            if (ranks < 2) {
                throw new IllegalArgumentException("a sample needs at least 2 ranks (1 rank does no communication),"
                        + " got " + ranks);
            }
            if (bytes < 1) {
                throw new IllegalArgumentException("a sample needs at least 1 byte, got " + bytes);
            }
            if (!(seconds > 0) || Double.isInfinite(seconds)) {
                throw new IllegalArgumentException("sample time must be a positive number of seconds, got "
                        + seconds + " for " + algorithm.cliName() + " of " + bytes + " bytes");
            }
        }
    }

    /** A sample with what the fit predicts for it. */
    public record Residual(Sample sample, double predictedSeconds) {
        /** (predicted − measured) / measured. */
        public double relative() {
            return (predictedSeconds - sample.seconds()) / sample.seconds();
        }
    }

    /**
     * The fitted parameters (seconds per message, per byte moved, per byte reduced), every sample's residual, and the
     * root-mean-square relative residual.
     */
    public record Result(double alpha, double beta, double gamma, List<Residual> residuals, double rmsRelative,
            int segmentBytes) {
        public Result {
            residuals = List.copyOf(residuals);
        }

        /** The fitted values as a host-only {@link CostModel} with the same segment size. */
        public CostModel model() {
            return CostModel.of(alpha, beta, gamma).withSegmentBytes(segmentBytes);
        }

        /** The largest |relative residual|. */
        public double maxRelative() {
            double m = 0;
            for (Residual r : residuals) {
                m = Math.max(m, Math.abs(r.relative()));
            }
            return m;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "alpha=%.3fus beta=%.4fns/B gamma=%.4fns/B (%d samples, rms residual"
                    + " %.1f%%, max %.1f%%)", alpha * 1e6, beta * 1e9, gamma * 1e9, residuals.size(),
                    rmsRelative * 100, maxRelative() * 100);
        }
    }

    /** Relative determinant below which the samples are taken not to determine the parameters. */
    private static final double DEGENERATE = 1e-9;

    private CostFit() {
    }

    /** Fits α, β, γ to {@code samples} of rings cut into segments of {@code segmentBytes}. */
    public static Result fit(List<Sample> samples, int segmentBytes) {
        if (samples == null || samples.size() < 3) {
            throw new IllegalArgumentException("fitting alpha, beta and gamma needs at least 3 samples, got "
                    + (samples == null ? 0 : samples.size()) + ": measure several sizes with ring and"
                    + " recursive-doubling (ringsgd bench allreduce --algorithm ring,recursive-doubling"
                    + " --bytes 8:4m)");
        }
        int k = samples.size();
        double[][] x = new double[k][];
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            Sample s = samples.get(i);
            double[] t = CostModel.terms(s.algorithm(), s.ranks(), s.bytes(), segmentBytes);
            double w = 1 / s.seconds();
            x[i] = new double[] {t[0] * w, t[1] * w, t[2] * w};
            y[i] = 1;
        }
        checkDetermined(samples, x);
        double[] best = null;
        double bestLoss = Double.POSITIVE_INFINITY;
        for (int free = 1; free < 8; free++) {
            double[] p = solve(x, y, free);
            if (p == null) {
                continue;
            }
            boolean ok = p[0] >= 0 && p[1] >= 0 && p[2] >= 0;
            double loss = loss(x, y, p);
            if (ok && loss < bestLoss) {
                best = p;
                bestLoss = loss;
            }
        }
        if (best == null) {
            throw new IllegalArgumentException("no non-negative alpha, beta, gamma fit these " + k + " samples:"
                    + " check that the times are in seconds and belong to the algorithms named");
        }
        List<Residual> res = new ArrayList<>(k);
        double ss = 0;
        for (int i = 0; i < k; i++) {
            Sample s = samples.get(i);
            double[] t = CostModel.terms(s.algorithm(), s.ranks(), s.bytes(), segmentBytes);
            double pred = t[0] * best[0] + t[1] * best[1] + t[2] * best[2];
            Residual r = new Residual(s, pred);
            res.add(r);
            ss += r.relative() * r.relative();
        }
        return new Result(best[0], best[1], best[2], Collections.unmodifiableList(res), Math.sqrt(ss / k),
                segmentBytes);
    }

    /** Rejects samples whose weighted normal matrix is (nearly) singular, naming the missing variety. */
    private static void checkDetermined(List<Sample> samples, double[][] x) {
        double[][] a = normal(x, 7);
        // Scale to a correlation-like matrix so that the test does not depend on units.
        double[] d = new double[3];
        for (int i = 0; i < 3; i++) {
            d[i] = Math.sqrt(a[i][i]);
        }
        if (d[0] == 0 || d[1] == 0 || d[2] == 0) {
            throw degenerate(samples);
        }
        double[][] c = new double[3][3];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                c[i][j] = a[i][j] / (d[i] * d[j]);
            }
        }
        if (Math.abs(det3(c)) < DEGENERATE) {
            throw degenerate(samples);
        }
    }

    private static IllegalArgumentException degenerate(List<Sample> samples) {
        boolean ratioOne = false;
        boolean ratioTwo = false;
        long minBytes = Long.MAX_VALUE;
        long maxBytes = 0;
        for (Sample s : samples) {
            if (s.algorithm() == Algorithm.RECURSIVE_DOUBLING) {
                ratioOne = true;
            } else {
                ratioTwo = true;
            }
            minBytes = Math.min(minBytes, s.bytes());
            maxBytes = Math.max(maxBytes, s.bytes());
        }
        String what;
        if (!ratioOne || !ratioTwo) {
            what = "beta (per byte moved) cannot be told from gamma (per byte reduced): ring, rabenseifner and tree"
                    + " move twice what they reduce, recursive-doubling moves what it reduces; measure"
                    + " recursive-doubling and one of the others";
        } else if (maxBytes < 4 * minBytes) {
            what = "alpha (per message) cannot be told from beta (per byte): the sizes range only from " + minBytes
                    + " to " + maxBytes + " bytes; measure small and large messages (e.g. 8 bytes to 4m)";
        } else {
            what = "the samples do not determine alpha, beta and gamma; measure several sizes (8 bytes to 4m) with"
                    + " ring and recursive-doubling";
        }
        return new IllegalArgumentException("cannot fit alpha, beta, gamma to " + samples.size() + " samples: "
                + what);
    }

    /** XᵀX restricted to the parameters whose bit is set in {@code free} (others' rows and columns zero). */
    private static double[][] normal(double[][] x, int free) {
        double[][] a = new double[3][3];
        for (double[] row : x) {
            for (int i = 0; i < 3; i++) {
                if ((free & (1 << i)) == 0) {
                    continue;
                }
                for (int j = 0; j < 3; j++) {
                    if ((free & (1 << j)) != 0) {
                        a[i][j] += row[i] * row[j];
                    }
                }
            }
        }
        return a;
    }

    /**
     * Least squares over the free parameters (bits of {@code free}), the others fixed at zero, by Gaussian elimination
     * with partial pivoting on the normal equations; null if that subsystem is singular.
     */
    private static double[] solve(double[][] x, double[] y, int free) {
        int[] idx = new int[3];
        int m = 0;
        for (int i = 0; i < 3; i++) {
            if ((free & (1 << i)) != 0) {
                idx[m++] = i;
            }
        }
        double[][] a = new double[m][m + 1];
        for (int r = 0; r < x.length; r++) {
            for (int i = 0; i < m; i++) {
                double xi = x[r][idx[i]];
                for (int j = 0; j < m; j++) {
                    a[i][j] += xi * x[r][idx[j]];
                }
                a[i][m] += xi * y[r];
            }
        }
        double scale = 0;
        for (int i = 0; i < m; i++) {
            scale = Math.max(scale, Math.abs(a[i][i]));
        }
        for (int col = 0; col < m; col++) {
            int piv = col;
            for (int r = col + 1; r < m; r++) {
                if (Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
                    piv = r;
                }
            }
            if (Math.abs(a[piv][col]) <= scale * 1e-14) {
                return null;
            }
            double[] tmp = a[col];
            a[col] = a[piv];
            a[piv] = tmp;
            for (int r = col + 1; r < m; r++) {
                double f = a[r][col] / a[col][col];
                for (int c = col; c <= m; c++) {
                    a[r][c] -= f * a[col][c];
                }
            }
        }
        double[] sol = new double[m];
        for (int i = m - 1; i >= 0; i--) {
            double s = a[i][m];
            for (int j = i + 1; j < m; j++) {
                s -= a[i][j] * sol[j];
            }
            sol[i] = s / a[i][i];
        }
        double[] p = new double[3];
        for (int i = 0; i < m; i++) {
            p[idx[i]] = sol[i];
        }
        return p;
    }

    private static double loss(double[][] x, double[] y, double[] p) {
        double s = 0;
        for (int r = 0; r < x.length; r++) {
            double e = x[r][0] * p[0] + x[r][1] * p[1] + x[r][2] * p[2] - y[r];
            s += e * e;
        }
        return s;
    }

    private static double det3(double[][] m) {
        return m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1])
                - m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0])
                + m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0]);
    }
}

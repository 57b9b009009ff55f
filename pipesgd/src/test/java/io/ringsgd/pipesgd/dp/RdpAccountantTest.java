package io.ringsgd.pipesgd.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RDP accountant against closed forms and against the definition integrated numerically. */
@Timeout(30)
class RdpAccountantTest {

    @Test
    void withoutSubsamplingEveryOrderIsTheGaussianMechanismsAlphaOverTwoSigmaSquared() {
        for (double sigma : new double[] {0.5, 0.75, 1.0, 1.1, 4.0, 17.0}) {
            for (int alpha = 2; alpha <= RdpAccountant.MAX_ORDER; alpha++) {
                double expected = alpha / (2 * sigma * sigma);
                assertThat(RdpAccountant.rdp(1.0, sigma, alpha)).as("sigma %s alpha %d", sigma, alpha)
                        .isCloseTo(expected, within(2 * Math.ulp(expected)));
            }
        }
    }

    @Test
    void withoutSubsamplingEpsilonIsTheMinimumOverOrdersOfTheComposedGaussianBound() {
        double sigma = 3.0;
        long steps = 40;
        double delta = 1e-5;
        double best = Double.POSITIVE_INFINITY;
        for (int alpha = 2; alpha <= RdpAccountant.MAX_ORDER; alpha++) {
            best = Math.min(best, steps * alpha / (2 * sigma * sigma) + Math.log(1 / delta) / (alpha - 1));
        }
        assertThat(new RdpAccountant(1.0, sigma).epsilon(steps, delta)).isCloseTo(best, within(1e-12));
    }

    @Test
    void orderTwoIsLogOfOnePlusQSquaredTimesExpOfOneOverSigmaSquaredMinusOne() {
        for (double q : new double[] {1e-4, 0.01, 0.3, 0.9}) {
            for (double sigma : new double[] {0.6, 1.0, 2.5}) {
                double expected = Math.log1p(q * q * Math.expm1(1 / (sigma * sigma)));
                assertThat(RdpAccountant.rdp(q, sigma, 2)).isCloseTo(expected, within(1e-14 + 1e-12 * expected));
            }
        }
    }

    @Test
    void subsampledOrdersMatchTheDefinitionIntegratedNumerically() {
        double[][] cases = {{0.01, 1.0}, {0.05, 0.8}, {0.2, 2.0}, {0.0043, 0.75}};
        for (double[] c : cases) {
            double q = c[0];
            double sigma = c[1];
            for (int alpha : new int[] {2, 3, 5, 8, 13, 20}) {
                double integrated = Math.log(momentRemove(q, sigma, alpha)) / (alpha - 1);
                double closed = RdpAccountant.rdp(q, sigma, alpha);
                assertThat(closed).as("q %s sigma %s alpha %d", q, sigma, alpha)
                        .isCloseTo(integrated, within(1e-9 + 1e-7 * integrated));
                // The other direction of adjacency is never larger (Mironov, Talwar and Zhang, Theorem 5).
                double other = Math.log(momentAdd(q, sigma, alpha)) / (alpha - 1);
                assertThat(other).isLessThanOrEqualTo(closed + 1e-12);
            }
        }
    }

    @Test
    void epsilonGrowsWithStepsAndIsZeroWithoutSteps() {
        RdpAccountant a = new RdpAccountant(64.0 / 15000, 0.75);
        assertThat(a.epsilon(0, 1e-5)).isZero();
        double previous = 0;
        for (long t = 1; t <= 2000; t *= 3) {
            double e = a.epsilon(t, 1e-5);
            assertThat(e).isGreaterThan(previous);
            previous = e;
        }
        assertThat(a.epsilon(100, 1e-3)).isLessThan(a.epsilon(100, 1e-6));
        assertThat(new RdpAccountant(0, 1).epsilon(100, 1e-5)).isZero();
    }

    @Test
    void refusesImpossibleArguments() {
        assertThatThrownBy(() -> new RdpAccountant(1.5, 1)).hasMessageContaining("sampling rate");
        assertThatThrownBy(() -> new RdpAccountant(0.1, 0)).hasMessageContaining("noise multiplier");
        assertThatThrownBy(() -> new RdpAccountant(0.1, 1).epsilon(10, 1)).hasMessageContaining("delta");
        assertThatThrownBy(() -> RdpAccountant.rdp(0.1, 1, 1)).hasMessageContaining("order");
    }

    /**
     * E over N(0, σ²) of (μ1/μ0)^α, μ1 = (1−q) N(0, σ²) + q N(1, σ²): the removal direction, integrated by
     * Simpson's rule with the integrand in log space (its factors under- and overflow in the tails).
     */
    private static double momentRemove(double q, double sigma, int alpha) {
        return simpson(z -> Math.exp(logGauss(z, 0, sigma) + alpha * logAddExp(Math.log1p(-q),
                Math.log(q) + (2 * z - 1) / (2 * sigma * sigma))), sigma, alpha);
    }

    /** E over μ1 of (μ0/μ1)^α: the addition direction. */
    private static double momentAdd(double q, double sigma, int alpha) {
        return simpson(z -> {
            double log0 = logGauss(z, 0, sigma);
            double logMix = logAddExp(Math.log1p(-q) + log0, Math.log(q) + logGauss(z, 1, sigma));
            return Math.exp(alpha * log0 - (alpha - 1) * logMix);
        }, sigma, alpha);
    }

    private static double logGauss(double z, double mu, double sigma) {
        double d = (z - mu) / sigma;
        return -0.5 * d * d - Math.log(sigma * Math.sqrt(2 * Math.PI));
    }

    private static double logAddExp(double a, double b) {
        double m = Math.max(a, b);
        return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
    }

    /** ∫ f over a range wide enough for the integrand's mass (which moves right as α grows), 100 000 panels. */
    private static double simpson(java.util.function.DoubleUnaryOperator f, double sigma, int alpha) {
        double lo = -40 * sigma;
        double hi = alpha + 40 * sigma;
        int panels = 100_000;
        double h = (hi - lo) / panels;
        double sum = f.applyAsDouble(lo) + f.applyAsDouble(hi);
        for (int i = 1; i < panels; i++) {
            sum += (i % 2 == 1 ? 4 : 2) * f.applyAsDouble(lo + i * h);
        }
        return sum * h / 3;
    }
}

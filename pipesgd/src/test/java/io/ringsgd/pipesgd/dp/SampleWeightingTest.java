package io.ringsgd.pipesgd.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The three weightings: the sensitivity bound they all keep, and the shapes that tell them apart. */
@Timeout(10)
class SampleWeightingTest {

    @Test
    void noWeightedGradientIsLongerThanTheClipBound() {
        for (double c : new double[] {0.1, 1, 10}) {
            for (SampleWeighting w : List.of(SampleWeighting.of("psac", c), SampleWeighting.of("clip", c),
                    SampleWeighting.of("autos", c))) {
                for (double x = 0; x < 1e6; x = x * 1.07 + 1e-6) {
                    // Up to the rounding of C / x · x.
                    assertThat(w.factor(x) * x).as("%s C=%s at %s", w.name(), c, x)
                            .isLessThanOrEqualTo(c * (1 + 1e-15));
                    assertThat(w.factor(x)).isGreaterThanOrEqualTo(0);
                }
            }
        }
    }

    @Test
    void clippingLeavesShortGradientsAloneAndCutsLongOnesToTheBound() {
        ClipWeighting w = new ClipWeighting(2);
        assertThat(w.factor(0)).isEqualTo(1);
        assertThat(w.factor(1.5)).isEqualTo(1);
        assertThat(w.factor(8) * 8).isEqualTo(2);
    }

    @Test
    void autoSGivesItsLargestWeightToTheSmallestGradients() {
        AutoSWeighting w = new AutoSWeighting(1, 0.01);
        assertThat(w.factor(0)).isCloseTo(100, within(1e-12));
        for (double x = 0; x < 100; x += 0.01) {
            assertThat(w.factor(x + 0.01)).isLessThan(w.factor(x));
        }
    }

    @Test
    void psacWeightRisesThenFallsWithItsPeakAtRootRMinusR() {
        double c = 1.5;
        double r = 0.1;
        PsacWeighting w = new PsacWeighting(c, r);
        double peak = Math.sqrt(r) - r;
        assertThat(w.factor(0)).isCloseTo(c, within(1e-12));
        assertThat(w.factor(peak)).isCloseTo(c / (2 * Math.sqrt(r) - r), within(1e-12));
        for (double x = 0; x < 50; x += 0.001) {
            assertThat(w.factor(x)).isLessThanOrEqualTo(w.factor(peak) + 1e-12);
            if (x + 0.001 < peak) {
                assertThat(w.factor(x + 0.001)).isGreaterThan(w.factor(x));
            } else if (x > peak) {
                assertThat(w.factor(x + 0.001)).isLessThan(w.factor(x));
            }
        }
        // Large gradients are normalised to the bound.
        assertThat(w.factor(1e4) * 1e4).isCloseTo(c, within(1e-4));
    }

    @Test
    void unknownNamesAreRefusedWithTheChoices() {
        assertThatThrownBy(() -> SampleWeighting.of("gauss", 1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--dp must be psac, clip or autos, got 'gauss': pass --dp psac for per-sample adaptive "
                        + "clipping");
        assertThat(SampleWeighting.of(" AutoS ", 1).name()).isEqualTo("autos");
        assertThatThrownBy(() -> new PsacWeighting(0, 0.1)).hasMessageContaining("clip bound");
    }
}

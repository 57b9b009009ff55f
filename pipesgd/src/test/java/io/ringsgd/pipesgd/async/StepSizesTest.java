package io.ringsgd.pipesgd.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** The step-size schedules: their first value is α₀, and their shapes are the documented formulas. */
class StepSizesTest {

    @Test
    void schedulesFollowTheirFormulas() {
        StepSizes c = new StepSizes(StepSizes.Kind.CONSTANT, 0.1, 0.5, 100);
        assertThat(c.at(0)).isEqualTo(0.1);
        assertThat(c.at(1_000_000)).isEqualTo(0.1);
        StepSizes p = new StepSizes(StepSizes.Kind.POLY, 0.1, 0.5, 100);
        assertThat(p.at(0)).isEqualTo(0.1);
        assertThat(p.at(300)).isCloseTo(0.05, within(1e-15));
        StepSizes q = new StepSizes(StepSizes.Kind.QUASILINEAR, 0.5, 0.5, 10);
        assertThat(q.at(0)).isCloseTo(0.5, within(1e-15));
        double m0 = Math.exp(Math.E);
        for (long n : new long[] {1, 10, 1000, 1_000_000}) {
            double m = m0 + n / 10.0;
            // alpha_n * m ln m ln ln m is the same for every n.
            assertThat(q.at(n) * m * Math.log(m) * Math.log(Math.log(m)))
                    .isCloseTo(0.5 * m0 * Math.E * 1.0, within(1e-9));
            assertThat(q.at(n)).isLessThan(q.at(n - 1));
        }
    }

    @Test
    void namesParseAndBadOnesAreOneLine() {
        assertThat(StepSizes.Kind.parse(" Quasilinear")).isEqualTo(StepSizes.Kind.QUASILINEAR);
        assertThatThrownBy(() -> StepSizes.Kind.parse("cosine"))
                .hasMessage("unknown --lr-schedule 'cosine': use constant, poly or quasilinear");
        assertThatThrownBy(() -> new StepSizes(StepSizes.Kind.POLY, 0, 1, 1)).hasMessageContaining("> 0");
    }
}

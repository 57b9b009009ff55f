package io.ringsgd.pipesgd.optim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SGD variants and learning-rate schedules against values computed by hand. */
@Timeout(10)
class OptimizerTest {

    @Test
    void plainSgd() {
        float[] w = {1f, -2f};
        new SgdMomentum(2, 0, false, 0).step(w, new float[] {0.5f, 0.25f}, 0.1);
        assertThat(w[0]).isCloseTo(0.95f, within(1e-6f));
        assertThat(w[1]).isCloseTo(-2.025f, within(1e-6f));
    }

    @Test
    void classicMomentumWithWeightDecayTwoSteps() {
        float[] w = {1f, -2f};
        float[] g = {0.5f, 0.25f};
        SgdMomentum opt = new SgdMomentum(2, 0.9, false, 0.01);
        opt.step(w, g, 0.1);
        // d = g + 0.01 w = (0.51, 0.23); v = d; w -= 0.1 v
        assertThat(w[0]).isCloseTo(0.949f, within(1e-6f));
        assertThat(w[1]).isCloseTo(-2.023f, within(1e-6f));
        assertThat(opt.state().get("momentum")).containsExactly(new float[] {0.51f, 0.23f}, within(1e-6f));
        opt.step(w, g, 0.1);
        // d = (0.50949, 0.22977); v = 0.9 (0.51, 0.23) + d = (0.96849, 0.43677); w -= 0.1 v
        assertThat(w[0]).isCloseTo(0.852151f, within(1e-6f));
        assertThat(w[1]).isCloseTo(-2.066677f, within(1e-6f));
    }

    @Test
    void nesterovMomentum() {
        float[] w = {1f, -2f};
        float[] g = {0.5f, 0.25f};
        SgdMomentum opt = new SgdMomentum(2, 0.9, true, 0.01);
        opt.step(w, g, 0.1);
        // d = (0.51, 0.23); v = d; w -= 0.1 (d + 0.9 v) = 0.1 * 1.9 d
        assertThat(w[0]).isCloseTo(1f - 0.0969f, within(1e-6f));
        assertThat(w[1]).isCloseTo(-2f - 0.0437f, within(1e-6f));
        opt.step(w, g, 0.1);
        // d = g + 0.01 w = (0.509031, 0.229563); v = 0.9 (0.51, 0.23) + d = (0.968031, 0.436563)
        // w -= 0.1 (d + 0.9 v) = 0.1 (1.3802589, 0.6224697)
        assertThat(w[0]).isCloseTo(0.9031f - 0.13802589f, within(1e-6f));
        assertThat(w[1]).isCloseTo(-2.0437f - 0.06224697f, within(1e-6f));
    }

    @Test
    void badHyperParametersAreRejected() {
        assertThatThrownBy(() -> new SgdMomentum(2, 1.0, false, 0)).hasMessageContaining("momentum");
        assertThatThrownBy(() -> new SgdMomentum(2, 0.9, false, -1)).hasMessageContaining("weight decay");
        assertThatThrownBy(() -> new SgdMomentum(2, 0, true, 0)).hasMessageContaining("Nesterov");
        assertThat(new SgdMomentum(2, 0, false, 0).state()).isEmpty();
    }

    @Test
    void constantScheduleWithLinearWarmup() {
        LrSchedule s = new LrSchedule(0.1, Schedule.CONSTANT, 4, 0, 0, 20);
        assertThat(s.rate(0)).isCloseTo(0.025, within(1e-12));
        assertThat(s.rate(1)).isCloseTo(0.05, within(1e-12));
        assertThat(s.rate(3)).isCloseTo(0.1, within(1e-12));
        assertThat(s.rate(4)).isCloseTo(0.1, within(1e-12));
        assertThat(s.rate(19)).isCloseTo(0.1, within(1e-12));
    }

    @Test
    void stepSchedule() {
        LrSchedule s = new LrSchedule(0.1, Schedule.STEP, 0, 5, 0.5, 20);
        assertThat(s.rate(0)).isCloseTo(0.1, within(1e-12));
        assertThat(s.rate(4)).isCloseTo(0.1, within(1e-12));
        assertThat(s.rate(5)).isCloseTo(0.05, within(1e-12));
        assertThat(s.rate(12)).isCloseTo(0.025, within(1e-12));
        LrSchedule warm = new LrSchedule(0.1, Schedule.STEP, 2, 5, 0.5, 20);
        assertThat(warm.rate(0)).isCloseTo(0.05, within(1e-12));
        assertThat(warm.rate(6)).isCloseTo(0.05, within(1e-12));
    }

    @Test
    void cosineScheduleAfterWarmup() {
        LrSchedule s = new LrSchedule(0.1, Schedule.COSINE, 4, 0, 0, 20);
        assertThat(s.rate(2)).isCloseTo(0.075, within(1e-12));
        assertThat(s.rate(4)).isCloseTo(0.1, within(1e-12));
        assertThat(s.rate(8)).isCloseTo(0.1 * 0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-12));
        assertThat(s.rate(12)).isCloseTo(0.05, within(1e-12));
        assertThat(s.rate(20)).isCloseTo(0.0, within(1e-12));
        assertThat(Schedule.parse("Cosine")).isEqualTo(Schedule.COSINE);
        assertThatThrownBy(() -> Schedule.parse("linear")).hasMessageContaining("constant, step or cosine");
    }
}

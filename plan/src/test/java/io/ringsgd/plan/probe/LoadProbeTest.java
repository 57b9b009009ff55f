package io.ringsgd.plan.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load probe runs, reports what it says it measures, and refuses bad input. No timing assertions. */
class LoadProbeTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void loadProbeNeverBeatsTheLink() {
        LoadProbe.Result r = LoadProbe.measure(2, 2);
        assertThat(r.waits()).isEqualTo(3);
        // Two ring steps of 1 ms latency and 2 KB at 1.25 GB/s: the emulation cannot deliver sooner.
        assertThat(r.linkSeconds()).isEqualTo(2 * (1e-3 + 2048 / 1.25e9));
        assertThat(r.idleSeconds()).isGreaterThanOrEqualTo(r.linkSeconds());
        assertThat(r.loadedSeconds()).isGreaterThanOrEqualTo(r.linkSeconds());
        assertThat(r.loadedWakeupSeconds()).isGreaterThanOrEqualTo(r.idleWakeupSeconds()).isNotNegative();
        assertThatThrownBy(() -> LoadProbe.measure(1, 2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2 ranks");
    }
}

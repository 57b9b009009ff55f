package io.ringsgd.cocod.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Compression;
import io.ringsgd.pipesgd.model.Models;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The probes run, report what they say they measure, and refuse bad input. No timing assertions. */
class ProbesTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void computeProbeMeasuresTheModelItWasGiven() {
        ComputeProbe.Result r = ComputeProbe.measure(Models.softmax(), 16, 4, 8, 2, Duration.ofMillis(700));
        assertThat(r.model()).isEqualTo("softmax 16-4");
        assertThat(r.parameters()).isEqualTo(16 * 4 + 4);
        assertThat(r.ranks()).isEqualTo(2);
        assertThat(r.computeSeconds()).isPositive();
        assertThat(r.freeRunningComputeSeconds()).isPositive();
        assertThat(r.passSeconds()).isPositive();
        assertThat(r.feedbackSeconds()).containsOnlyKeys(Compression.FP16, Compression.INT8);
        assertThat(r.codecs()).containsOnlyKeys(Compression.FP16, Compression.INT8);
        r.codecs().values().forEach(c -> assertThat(c.encodeSeconds()).isPositive());
        assertThat(r.withCodecs(io.ringsgd.collectives.algorithm.CostModel.of(0, 0, 0))
                .knowsCodec(Compression.INT8)).isTrue();
    }

    @Test
    @Timeout(value = 10, unit = TimeUnit.SECONDS)
    void computeProbeRejectsBadInput() {
        assertThatThrownBy(() -> ComputeProbe.measure(null, 16, 4, 8, 2)).isInstanceOf(
                IllegalArgumentException.class).hasMessageContaining("factory");
        assertThatThrownBy(() -> ComputeProbe.measure(Models.softmax(), 16, 4, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ranks");
        assertThatThrownBy(() -> ComputeProbe.measure(Models.softmax(), 16, 4, 8, 2, Duration.ofMillis(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("budget");
    }

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

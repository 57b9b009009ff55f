package io.ringsgd.pipesgd.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Compression;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.plan.ComputeCosts;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The compute probe runs, reports what it says it measures, and refuses bad input. No timing assertions. */
class ComputeProbeTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void computeProbeMeasuresTheModelItWasGiven() {
        ComputeCosts r = ComputeProbe.measure(Models.softmax(), 16, 4, 8, 2, Duration.ofMillis(700));
        assertThat(r.model()).isEqualTo("softmax 16-4");
        assertThat(r.parameters()).isEqualTo(16 * 4 + 4);
        assertThat(r.ranks()).isEqualTo(2);
        assertThat(r.computeSeconds()).isPositive();
        assertThat(r.freeRunningComputeSeconds()).isPositive();
        assertThat(r.passSeconds()).isPositive();
        assertThat(r.feedbackSeconds()).containsOnlyKeys(Compression.FP16, Compression.INT8, Compression.TWO_BIT,
                Compression.ONE_BIT, Compression.TERNARY);
        assertThat(r.codecs()).containsOnlyKeys(Compression.FP16, Compression.INT8, Compression.TWO_BIT,
                Compression.ONE_BIT, Compression.TERNARY);
        r.codecs().values().forEach(c -> assertThat(c.encodeSeconds()).isPositive());
        assertThat(r.withCodecs(CostModel.of(0, 0, 0)).knowsCodec(Compression.INT8)).isTrue();
        assertThat(r.withCodecs(CostModel.of(0, 0, 0)).knowsCodec(Compression.TERNARY)).isTrue();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void computeProbeTrainsAConvolutionalModel() {
        ComputeCosts r = ComputeProbe.measure(Models.factory("cnn:c4k3p1-pool2-d8", new int[0]), 64, 3, 8, 2,
                Duration.ofMillis(700));
        assertThat(r.model()).isEqualTo("cnn 8x8x1-c4k3p1-pool2-d8-3");
        assertThat(r.parameters()).isEqualTo(4 * 9 + 4 + 64 * 8 + 8 + 8 * 3 + 3);
        assertThat(r.computeSeconds()).isPositive();
        assertThat(r.freeRunningComputeSeconds()).isPositive();
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
}

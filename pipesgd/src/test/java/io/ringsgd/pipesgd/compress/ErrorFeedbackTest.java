package io.ringsgd.pipesgd.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.codec.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Error feedback sends what quantization dropped later instead of losing it. */
@Timeout(10)
class ErrorFeedbackTest {

    @Test
    void smallComponentsThatInt8WouldDropAreDeliveredOverTime() {
        int n = 8;
        int steps = 200;
        float[] g = new float[n];
        g[0] = 1f; // sets the int8 scale to 1/127, so 0.001 rounds to 0 on its own
        for (int i = 1; i < n; i++) {
            g[i] = 0.001f;
        }
        ErrorFeedback ef = new ErrorFeedback(Compression.INT8, n);
        float[] v = new float[n];
        float[] seen = new float[n];
        double[] delivered = new double[n];
        double[] plain = new double[n];
        for (int t = 0; t < steps; t++) {
            System.arraycopy(g, 0, v, 0, n);
            ef.compensate(v);
            Codecs.of(Compression.INT8).roundTrip(v, 0, n, seen, 0);
            float[] without = new float[n];
            Codecs.of(Compression.INT8).roundTrip(g, 0, n, without, 0);
            for (int i = 0; i < n; i++) {
                delivered[i] += seen[i];
                plain[i] += without[i];
            }
        }
        for (int i = 1; i < n; i++) {
            assertThat(plain[i]).as("without feedback nothing arrives").isZero();
            // sent + residual = accumulated gradient, so the delivered sum is off by at most one residual
            assertThat(delivered[i] + ef.residual()[i]).isCloseTo(steps * 0.001, org.assertj.core.data.Offset
                    .offset(1e-4));
            assertThat(Math.abs(ef.residual()[i])).isLessThanOrEqualTo(1f / 127);
        }
        assertThat(delivered[0]).isCloseTo(steps, org.assertj.core.data.Offset.offset(1e-3));
    }

    @Test
    void residualIsWhatTheRoundTripLost() {
        float[] v = {0.3f, -1.7f, 2.2e-3f, 5f};
        float[] original = v.clone();
        ErrorFeedback ef = new ErrorFeedback(Compression.FP16, 4);
        ef.compensate(v);
        float[] q = new float[4];
        Codecs.of(Compression.FP16).roundTrip(original, 0, 4, q, 0);
        assertThat(v).containsExactly(original); // first step: residual was 0
        for (int i = 0; i < 4; i++) {
            assertThat(ef.residual()[i]).isEqualTo(original[i] - q[i]);
        }
        ef.reset();
        assertThat(ef.residual()).containsOnly(0f);
        assertThatThrownBy(() -> new ErrorFeedback(Compression.NONE, 4)).hasMessageContaining("lossy");
        assertThatThrownBy(() -> ef.compensate(new float[3])).hasMessageContaining("3 floats");
    }
}

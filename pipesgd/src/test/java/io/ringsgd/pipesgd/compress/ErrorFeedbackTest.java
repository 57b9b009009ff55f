package io.ringsgd.pipesgd.compress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import java.util.Arrays;
import java.util.List;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Error feedback sends what quantization dropped later instead of losing it. */
@Timeout(60)
class ErrorFeedbackTest {
    private static final CollectiveOptions INT8 = CollectiveOptions.compressed(Compression.INT8);

    /**
     * Three ranks all-reduce, step after step, a gradient whose small components int8 rounds to zero (one large
     * component sets the block's step to 1/127). Without feedback they never arrive; with it, through a pipeline of
     * {@code slots} AllReduces in flight, the delivered average trails the true one by at most the residuals.
     */
    private static void deliversSmallComponents(int slots) {
        int p = 3;
        int n = 600;
        int steps = 120;
        List<double[]> out = Communicators.runLocal(p, c -> {
            ErrorFeedback ef = new ErrorFeedback(INT8, n, slots);
            float[][] v = new float[slots][n];
            Request[] inFlight = new Request[slots];
            double[] delivered = new double[2 * n];
            for (int t = 0; t < steps + slots; t++) {
                int j = t % slots;
                if (inFlight[j] != null) {
                    inFlight[j].await();
                    for (int i = 0; i < n; i++) {
                        delivered[i] += v[j][i];
                    }
                }
                if (t >= steps) {
                    continue;
                }
                for (int i = 0; i < n; i++) {
                    v[j][i] = i % 256 == 0 ? 1f : 0.001f * (1 + c.rank());
                }
                inFlight[j] = c.iallreduce(v[j], 0, n, ReduceOp.AVG, ef.slot(j).compensate(v[j]));
            }
            float[] plain = new float[n];
            for (int i = 0; i < n; i++) {
                plain[i] = i % 256 == 0 ? 1f : 0.001f * (1 + c.rank());
            }
            c.allreduce(plain, 0, n, ReduceOp.AVG, INT8);
            for (int i = 0; i < n; i++) {
                delivered[n + i] = plain[i];
            }
            // The residuals, averaged like the contributions: what is still owed.
            float[] owed = ef.state();
            double[] owedAvg = new double[n];
            for (int j = 0; j < slots; j++) {
                for (int i = 0; i < n; i++) {
                    owedAvg[i] += owed[j * n + i];
                }
            }
            double[] all = new double[3 * n];
            System.arraycopy(delivered, 0, all, 0, 2 * n);
            System.arraycopy(owedAvg, 0, all, 2 * n, n);
            return all;
        });
        double trueMean = 0.001 * (1 + 2 + 3) / 3;
        for (int i = 0; i < n; i++) {
            if (i % 256 == 0) {
                assertThat(out.get(0)[i]).isCloseTo(steps, Offset.offset(1e-2));
                continue;
            }
            assertThat(out.get(0)[n + i]).as("without feedback element %d does not arrive", i).isZero();
            double owed = 0;
            for (int r = 0; r < p; r++) {
                owed += out.get(r)[2 * n + i] / p;
            }
            // delivered + owed = everything sent, up to float rounding of the sums.
            assertThat(out.get(0)[i] + owed).as("element %d", i).isCloseTo(steps * trueMean, Offset.offset(1e-3));
            assertThat(out.get(0)[i]).as("element %d mostly delivered", i).isGreaterThan(steps * trueMean * 0.9);
        }
        for (int r = 1; r < p; r++) {
            assertThat(Arrays.copyOf(out.get(r), n)).as("rank %d saw the same results", r)
                    .isEqualTo(Arrays.copyOf(out.get(0), n));
        }
    }

    @Test
    void smallComponentsThatInt8WouldDropAreDeliveredOverTime() {
        deliversSmallComponents(1);
    }

    @Test
    void aPipelineOfSlotsDeliversThemToo() {
        deliversSmallComponents(3);
    }

    @Test
    void compensateAddsAndEmptiesTheResidualAndStateRoundTrips() {
        ErrorFeedback ef = new ErrorFeedback(CollectiveOptions.compressed(Compression.FP16), 4, 2);
        ef.slot(1).residual()[2] = 0.5f;
        float[] v = {1f, 2f, 3f, 4f};
        CollectiveOptions o = ef.slot(1).compensate(v);
        assertThat(v).containsExactly(1f, 2f, 3.5f, 4f);
        assertThat(ef.slot(1).residual()).containsOnly(0f);
        assertThat(o.quantizationError()).isSameAs(ef.slot(1).residual());
        assertThat(o.compression()).isEqualTo(Compression.FP16);
        ef.slot(0).residual()[3] = -2f;
        float[] state = ef.state();
        assertThat(state).hasSize(8);
        ef.reset();
        assertThat(ef.state()).containsOnly(0f);
        ef.restore(state);
        assertThat(ef.slot(0).residual()[3]).isEqualTo(-2f);
        assertThatThrownBy(() -> new ErrorFeedback(CollectiveOptions.DEFAULT, 4, 1)).hasMessageContaining("lossy");
        assertThatThrownBy(() -> new ErrorFeedback(INT8, 4, 0)).hasMessageContaining("at least one slot");
        assertThatThrownBy(() -> ef.slot(0).compensate(new float[3])).hasMessageContaining("3 floats");
        assertThatThrownBy(() -> ef.restore(new float[4])).hasMessageContaining("2 slots of 4");
        assertThatThrownBy(() -> ef.slot(0).compensate(new float[4], INT8))
                .hasMessageContaining("made for fp16 but the AllReduce asks for int8");
    }
}

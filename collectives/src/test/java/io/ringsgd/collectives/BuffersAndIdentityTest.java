package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every buffer kind, offsets, out-of-place calls, and bit-identical results on random (inexact) data. */
class BuffersAndIdentityTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(8 << 10).build();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyBufferKindAndOffset() {
        int p = 3;
        int n = 5000;
        List<String> bad = Communicators.runLocal(p, CFG, c -> {
            int r = c.rank();
            StringBuilder errs = new StringBuilder();
            for (Algorithm a : AllreduceCorrectnessTest.ALGORITHMS) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                // out of place, with offsets, arrays
                float[] send = new float[n + 7];
                float[] recv = new float[n + 11];
                System.arraycopy(Inputs.floats(ReduceOp.SUM, r, n), 0, send, 7, n);
                Arrays.fill(recv, -99f);
                float[] sendCopy = send.clone();
                c.allreduce(ElementBuffer.of(send, 7, n), ElementBuffer.of(recv, 11, n), ReduceOp.SUM, o);
                check(errs, a + " out-of-place array", Arrays.copyOfRange(recv, 11, 11 + n), p);
                if (!Arrays.equals(send, sendCopy)) {
                    errs.append(a).append(" modified the send buffer; ");
                }
                for (int i = 0; i < 11; i++) {
                    if (recv[i] != -99f) {
                        errs.append(a).append(" wrote before the recv offset; ");
                        break;
                    }
                }
                // direct FloatBuffer, in place, absolute index
                FloatBuffer direct = ByteBuffer.allocateDirect(4 * (n + 3)).order(ByteOrder.nativeOrder())
                        .asFloatBuffer();
                direct.position(3);
                direct.put(Inputs.floats(ReduceOp.SUM, r, n));
                direct.position(3);
                c.allreduce(ElementBuffer.of(direct, 3, n), ElementBuffer.of(direct, 3, n), ReduceOp.SUM, o);
                float[] got = new float[n];
                direct.get(3, got);
                check(errs, a + " direct FloatBuffer", got, p);
                // heap FloatBuffer view of the remaining elements
                FloatBuffer heap = FloatBuffer.wrap(Inputs.floats(ReduceOp.SUM, r, n));
                c.allreduce(heap, ReduceOp.SUM);
                check(errs, a + " heap FloatBuffer", heap.array(), p);
                // direct DoubleBuffer, out of place into a heap DoubleBuffer
                DoubleBuffer dsend = ByteBuffer.allocateDirect(8 * n).asDoubleBuffer().put(Inputs.doubles(ReduceOp.SUM,
                        r, n));
                dsend.flip();
                DoubleBuffer drecv = DoubleBuffer.allocate(n);
                c.allreduce(dsend, drecv, ReduceOp.SUM);
                if (Inputs.firstMismatch(drecv.array(), ReduceOp.SUM, p) >= 0) {
                    errs.append(a).append(" DoubleBuffer; ");
                }
                // little-endian bytes
                ByteBuffer bytes = ByteBuffer.allocateDirect(4 * n + 16).order(ByteOrder.LITTLE_ENDIAN);
                float[] in = Inputs.floats(ReduceOp.SUM, r, n);
                for (int i = 0; i < n; i++) {
                    bytes.putFloat(16 + 4 * i, in[i]);
                }
                ElementBuffer eb = ElementBuffer.ofBytes(bytes, ElementType.FLOAT, 16, n);
                c.allreduce(null, eb, ReduceOp.SUM, o);
                for (int i = 0; i < n; i++) {
                    got[i] = bytes.getFloat(16 + 4 * i);
                }
                check(errs, a + " bytes", got, p);
            }
            return errs.toString();
        });
        bad.forEach(e -> assertThat(e).isEmpty());
    }

    private static void check(StringBuilder errs, String what, float[] got, int p) {
        int i = Inputs.firstMismatch(got, ReduceOp.SUM, p);
        if (i >= 0) {
            errs.append(what).append(" element ").append(i).append("=").append(got[i]).append("; ");
        }
    }

    /** Random floats: sums are not exact, yet every rank must hold the same bits, close to the serial sum. */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4, 5, 8})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void bitIdenticalOnEveryRank(int p) {
        int n = 30_011;
        List<float[][]> results = Communicators.runLocal(p, CFG, c -> {
            float[][] out = new float[AllreduceCorrectnessTest.ALGORITHMS.length + 2][];
            int k = 0;
            for (Algorithm a : AllreduceCorrectnessTest.ALGORITHMS) {
                float[] v = random(c.rank(), n);
                c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.algorithm(a));
                out[k++] = v;
            }
            for (Compression z : new Compression[] {Compression.FP16, Compression.INT8}) {
                float[] v = random(c.rank(), n);
                c.allreduce(v, 0, n, ReduceOp.AVG, CollectiveOptions.compressed(z));
                out[k++] = v;
            }
            return out;
        });
        double[] serial = serialSum(p, n);
        for (int k = 0; k < results.get(0).length; k++) {
            for (int r = 1; r < p; r++) {
                assertThat(results.get(r)[k]).as("variant %d rank %d equals rank 0 bit for bit", k, r)
                        .isEqualTo(results.get(0)[k]);
            }
            boolean compressed = k >= AllreduceCorrectnessTest.ALGORITHMS.length;
            double tol = !compressed ? 1e-5 : k == AllreduceCorrectnessTest.ALGORITHMS.length ? 5e-3 : 0.05;
            for (int i = 0; i < n; i++) {
                double expect = compressed ? serial[i] / p : serial[i];
                assertThat((double) results.get(0)[k][i]).as("variant %d element %d", k, i)
                        .isCloseTo(expect, org.assertj.core.data.Offset.offset(tol * Math.max(1, Math.abs(expect))
                                + (compressed ? tol : 0)));
            }
        }
    }

    /**
     * The sinks of a compressed AllReduce hold what quantization dropped: summed over the ranks they are the exact sum
     * minus the result, far closer than the result is to the sum on its own; without compression they stay untouched.
     */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 5})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void quantizationErrorSinksAddUpToWhatTheResultLacks(int p) {
        int n = 20_003;
        List<float[][]> results = Communicators.runLocal(p, CFG, c -> {
            float[][] out = new float[5][];
            int k = 0;
            for (Compression z : new Compression[] {Compression.FP16, Compression.INT8}) {
                float[] v = random(c.rank(), n);
                float[] sink = new float[n + 7];
                c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.compressed(z).withQuantizationError(sink));
                out[k++] = v;
                out[k++] = sink;
            }
            float[] untouched = new float[n];
            Arrays.fill(untouched, 3f);
            c.allreduce(random(c.rank(), n), 0, n, ReduceOp.SUM,
                    CollectiveOptions.DEFAULT.withQuantizationError(untouched));
            out[k] = untouched;
            return out;
        });
        double[] serial = serialSum(p, n);
        for (int z = 0; z < 2; z++) {
            double plain = 0;
            double compensated = 0;
            for (int i = 0; i < n; i++) {
                double lost = 0;
                for (int r = 0; r < p; r++) {
                    lost += results.get(r)[2 * z + 1][i];
                }
                double result = results.get(0)[2 * z][i];
                plain = Math.max(plain, Math.abs(serial[i] - result));
                compensated = Math.max(compensated, Math.abs(serial[i] - (result + lost)));
            }
            assertThat(plain).as("compression %d loses something", z).isGreaterThan(1e-4);
            // What is left is float rounding of the partial sums, orders of magnitude below the quantization error.
            assertThat(compensated).as("compression %d: sum − (result + sinks)", z).isLessThan(plain / 100);
            assertThat(results.get(0)[2 * z + 1][n]).as("past the vector's count").isZero();
        }
        for (int r = 0; r < p; r++) {
            assertThat(results.get(r)[4]).containsOnly(3f);
        }
    }

    /** The sum of every rank's {@link #random} vector, in double. */
    static double[] serialSum(int p, int n) {
        double[] serial = new double[n];
        for (int r = 0; r < p; r++) {
            float[] v = random(r, n);
            for (int i = 0; i < n; i++) {
                serial[i] += v[i];
            }
        }
        return serial;
    }

    static float[] random(int rank, int n) {
        Random rnd = new Random(1000 + rank);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }
}

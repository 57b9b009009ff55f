package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The encoded all-gather AllReduce of the low-bit formats: every rank ends with the same bits, which are the decodings
 * of every rank's encoding added in rank order; the sinks add up to what the result lacks, so error feedback is
 * exact; each rank sends (P−1) encodings, as counted by the transport.
 */
class LowBitAllreduceTest {
    private static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(4 << 10).build();

    @ParameterizedTest(name = "{0} P={1} n={2}")
    @CsvSource({"1bit,2,1000", "1bit,3,20003", "1bit,4,65536", "1bit,5,1", "2bit,2,257", "2bit,4,20003",
            "2bit,5,65537", "ternary,2,1000", "ternary,3,20003", "ternary,4,65536", "ternary,5,1"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everyRankEndsWithTheRankOrderSumOfTheDecodings(String name, int p, int n) {
        Compression z = Compression.parse(name);
        List<Object[]> out = Communicators.runLocal(p, CFG, c -> {
            float[] v = BuffersAndIdentityTest.random(c.rank(), n);
            float[] sink = new float[n];
            long before = c.bytesSent();
            c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.compressed(z).withQuantizationError(sink));
            long sent = c.bytesSent() - before;
            return new Object[] {v, sink, sent};
        });
        // The expected result, computed serially: decode every rank's encoding, add in rank order.
        Codec codec = Codecs.create(z);
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        float[] expect = new float[n];
        long[] length = new long[p];
        long allLengths = 0;
        for (int r = 0; r < p; r++) {
            codec.encode(BuffersAndIdentityTest.random(r, n), 0, n, wire, 0, null, 0);
            codec.decode(wire, 0, expect, 0, n, r > 0);
            length[r] = codec.encodedLength(wire, 0, n);
            allLengths += length[r];
        }
        double[] exact = BuffersAndIdentityTest.serialSum(p, n);
        for (int r = 0; r < p; r++) {
            float[] got = (float[]) out.get(r)[0];
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).as("rank %d element %d", r, i)
                        .isEqualTo(Float.floatToRawIntBits(expect[i]));
            }
            // Fixed lengths: P - 1 encodings. Variable (ternary): P - 1 lengths of 4 bytes, then every encoding but
            // its right neighbour's (the last one it receives) as long as it actually is.
            long want = codec.variableLength() ? (p - 1) * 4L + allLengths - length[(r + 1) % p]
                    : (long) (p - 1) * codec.encodedBytes(n);
            assertThat((long) out.get(r)[2]).as("bytes rank %d sent", r).isEqualTo(want);
        }
        // Sinks plus result = exact sum, up to float rounding of p additions.
        for (int i = 0; i < n; i++) {
            double back = expect[i];
            for (int r = 0; r < p; r++) {
                back += ((float[]) out.get(r)[1])[i];
            }
            assertThat(back).as("element %d", i).isCloseTo(exact[i],
                    org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(exact[i])) * p));
        }
    }

    /**
     * Error feedback over many steps (each rank adds its sink to its next vector): the sum of all results plus the
     * sinks left at the end equals the sum of every input, however coarse one step's result is.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withErrorFeedbackNothingDroppedIsLostOverSteps() {
        int p = 4;
        int n = 3000;
        int steps = 50;
        for (Compression z : new Compression[] {Compression.ONE_BIT, Compression.TWO_BIT, Compression.TERNARY}) {
            List<double[]> out = Communicators.runLocal(p, CFG, c -> {
                float[] sink = new float[n];
                float[] v = new float[n];
                double[] resultSum = new double[n];
                CollectiveOptions o = CollectiveOptions.compressed(z).withQuantizationError(sink);
                for (int t = 0; t < steps; t++) {
                    float[] x = BuffersAndIdentityTest.random(c.rank() + 10 * t, n);
                    for (int i = 0; i < n; i++) {
                        v[i] = x[i] + sink[i];
                        sink[i] = 0f;
                    }
                    c.allreduce(v, 0, n, ReduceOp.SUM, o);
                    for (int i = 0; i < n; i++) {
                        resultSum[i] += v[i];
                    }
                }
                double[] both = new double[2 * n];
                System.arraycopy(resultSum, 0, both, 0, n);
                for (int i = 0; i < n; i++) {
                    both[n + i] = sink[i];
                }
                return both;
            });
            double[] inputs = new double[n];
            for (int t = 0; t < steps; t++) {
                for (int r = 0; r < p; r++) {
                    float[] x = BuffersAndIdentityTest.random(r + 10 * t, n);
                    for (int i = 0; i < n; i++) {
                        inputs[i] += x[i];
                    }
                }
            }
            double worstWithout = 0;
            double worstWith = 0;
            for (int i = 0; i < n; i++) {
                double results = out.get(0)[i];
                double sinks = 0;
                for (int r = 0; r < p; r++) {
                    sinks += out.get(r)[n + i];
                }
                worstWith = Math.max(worstWith, Math.abs(results + sinks - inputs[i]));
                worstWithout = Math.max(worstWithout, Math.abs(results - inputs[i]));
            }
            assertThat(worstWith).as("%s: results + final sinks vs inputs", z).isLessThan(1e-3);
            // The sinks are not small: what they hold is real signal, sent later.
            assertThat(worstWithout).as("%s: results alone vs inputs", z).isGreaterThan(0.1);
        }
    }

    /**
     * Over TCP the counter includes the framing: each of the P − 1 all-gather steps is one message (the encoding is
     * smaller than a segment), and each message costs its payload plus a 56-byte frame header.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tcpCountsPayloadAndFrameHeaders() {
        int p = 3;
        int n = 10_000;
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).segmentBytes(64 << 10)
                .build();
        List<Long> sent = TcpGroup.run(p, cfg, c -> {
            float[] v = BuffersAndIdentityTest.random(c.rank(), n);
            long before = c.bytesSent();
            c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.compressed(Compression.ONE_BIT));
            return c.bytesSent() - before;
        });
        long e = Codecs.encodedBytes(Compression.ONE_BIT, n);
        for (long s : sent) {
            assertThat(s).isEqualTo((p - 1) * (e + 56));
        }
    }

    /**
     * The ternary format over TCP: each rank sends P − 1 four-byte lengths and forwards P − 1 encodings (all but its
     * right neighbour's) at their own lengths (each a message with its frame header), every rank ends bit-identical with the rank-order sum, and the
     * threshold of {@link CollectiveOptions#withTernaryThreshold} changes what is sent.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void tcpTernarySendsTheActualLengthsAndEndsBitIdentical() {
        int p = 3;
        int n = 30_000;
        float lambda = 3f;
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).segmentBytes(64 << 10)
                .build();
        List<Object[]> out = TcpGroup.run(p, cfg, c -> {
            float[] v = BuffersAndIdentityTest.random(c.rank(), n);
            long before = c.bytesSent();
            c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.compressed(Compression.TERNARY)
                    .withTernaryThreshold(lambda));
            return new Object[] {v, c.bytesSent() - before};
        });
        io.ringsgd.collectives.codec.SparseTernaryCodec codec = new io.ringsgd.collectives.codec.SparseTernaryCodec();
        codec.threshold(lambda);
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedBytes(n));
        float[] expect = new float[n];
        long[] length = new long[p];
        for (int r = 0; r < p; r++) {
            codec.encode(BuffersAndIdentityTest.random(r, n), 0, n, wire, 0, null, 0);
            codec.decode(wire, 0, expect, 0, n, r > 0);
            length[r] = codec.encodedLength(wire, 0, n);
        }
        for (int r = 0; r < p; r++) {
            long want = (p - 1) * (4 + 56L);
            for (int q = 0; q < p; q++) {
                want += q == (r + 1) % p ? 0 : length[q] + 56;
            }
            assertThat((long) out.get(r)[1]).as("bytes rank %d sent", r).isEqualTo(want);
            float[] got = (float[]) out.get(r)[0];
            for (int i = 0; i < n; i++) {
                assertThat(Float.floatToRawIntBits(got[i])).as("rank %d element %d", r, i)
                        .isEqualTo(Float.floatToRawIntBits(expect[i]));
            }
        }
        // At λ = 3 about 1 % of normal values pass: far fewer bytes than 2 bits per element.
        assertThat(length[0]).isLessThan(n / 16);
    }
}

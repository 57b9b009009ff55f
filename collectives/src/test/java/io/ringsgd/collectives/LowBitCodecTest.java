package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.collectives.codec.SignCodec;
import io.ringsgd.collectives.codec.SparseTernaryCodec;
import io.ringsgd.collectives.codec.TernaryCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The 1-bit and 2-bit codecs: their sizes, their levels and error bounds, decode agreeing with roundTrip bit for bit,
 * and the error sink holding exactly what the encoding dropped.
 */
class LowBitCodecTest {

    private static float[] gaussian(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Heavy-ish tails, like gradients: a Gaussian times a per-element log-uniform magnitude.
            x[i] = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextDouble() * 2 - 3));
        }
        return x;
    }

    /** decode(encode(x)) into a fresh array; also checks the sink and roundTrip against it. */
    private static float[] codeAndCheck(Compression c, float[] x, int n) {
        Codec codec = Codecs.create(c);
        assertThat(codec.encodedBytes(n)).isEqualTo((int) Codecs.encodedBytes(c, n));
        ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedBytes(n) + 3).order(ByteOrder.BIG_ENDIAN);
        float[] lost = new float[n + 2];
        codec.encode(x, 1, n, wire, 3, lost, 2);
        float[] y = new float[n];
        codec.decode(wire, 3, y, 0, n, false);
        float[] rt = new float[n];
        codec.roundTrip(x, 1, n, rt, 0);
        for (int i = 0; i < n; i++) {
            assertThat(Float.floatToRawIntBits(rt[i])).as("%s roundTrip = decode at %d", c, i)
                    .isEqualTo(Float.floatToRawIntBits(y[i]));
            assertThat(lost[2 + i]).as("%s sink at %d is exactly x - decode", c, i).isEqualTo(x[1 + i] - y[i]);
        }
        // Accumulating decode adds to what is there.
        float[] acc = new float[n];
        java.util.Arrays.fill(acc, 1f);
        codec.decode(wire, 3, acc, 0, n, true);
        for (int i = 0; i < n; i++) {
            assertThat(acc[i]).isEqualTo(1f + y[i]);
        }
        return y;
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 255, 256, 257, 1000, 70_001})
    void oneBitSendsTheSignWithTheBlockMeanMagnitude(int n) {
        float[] x = gaussian(n + 1, n);
        float[] y = codeAndCheck(Compression.ONE_BIT, x, n);
        for (int b = 0; b < n; b += SignCodec.BLOCK) {
            int m = Math.min(SignCodec.BLOCK, n - b);
            float sum = 0f;
            float max = 0f;
            for (int i = 0; i < m; i++) {
                sum += Math.abs(x[1 + b + i]);
                max = Math.max(max, Math.abs(x[1 + b + i]));
            }
            float s = sum / m;
            for (int i = 0; i < m; i++) {
                float xi = x[1 + b + i];
                assertThat(y[b + i]).as("element %d", b + i).isEqualTo(xi < 0 ? -s : s);
                assertThat(Math.abs(xi - y[b + i])).isLessThanOrEqualTo(Math.max(s, max - s) * 1.000001f);
            }
        }
        int full = 256;
        assertThat(Codecs.encodedBytes(Compression.ONE_BIT, full)).isEqualTo(36);
        assertThat(4.0 * full / Codecs.encodedBytes(Compression.ONE_BIT, full)).isGreaterThan(28.4);
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 5, 255, 256, 257, 1000, 70_001})
    void twoBitSendsTernaryLevelsAboveThreshold(int n) {
        float[] x = gaussian(n + 1, 7 * n);
        float[] y = codeAndCheck(Compression.TWO_BIT, x, n);
        for (int b = 0; b < n; b += TernaryCodec.BLOCK) {
            int m = Math.min(TernaryCodec.BLOCK, n - b);
            float sum = 0f;
            for (int i = 0; i < m; i++) {
                sum += Math.abs(x[1 + b + i]);
            }
            float t = 0.7f * (sum / m);
            float above = 0f;
            int count = 0;
            for (int i = 0; i < m; i++) {
                if (Math.abs(x[1 + b + i]) > t) {
                    above += Math.abs(x[1 + b + i]);
                    count++;
                }
            }
            float s = count == 0 ? 0f : above / count;
            for (int i = 0; i < m; i++) {
                float xi = x[1 + b + i];
                float expect = Math.abs(xi) > t ? (xi < 0 ? -s : s) : 0f;
                assertThat(y[b + i]).as("element %d", b + i).isEqualTo(expect);
                // Below the threshold the error is |x| <= t; above it, | |x| - s |.
                assertThat(Math.abs(xi - y[b + i])).isLessThanOrEqualTo(Math.abs(xi) > t
                        ? Math.abs(Math.abs(xi) - s) * 1.000001f : t);
            }
        }
        assertThat(Codecs.encodedBytes(Compression.TWO_BIT, 256)).isEqualTo(68);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"1bit", "2bit", "ternary"})
    void blocksOfZerosStayZerosAndNaNsStayInTheirBlock(String name) {
        Compression c = Compression.parse(name);
        int n = 3 * 256;
        float[] x = new float[n + 1];
        for (int i = 256; i < n; i++) {
            x[1 + i] = (i % 5) - 2;
        }
        x[1 + 2 * 256 + 3] = Float.NaN;
        Codec codec = Codecs.create(c);
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedBytes(n));
        codec.encode(x, 1, n, wire, 0, null, 0);
        float[] y = new float[n];
        codec.decode(wire, 0, y, 0, n, false);
        for (int i = 0; i < 256; i++) {
            assertThat(y[i]).isZero();
        }
        for (int i = 256; i < 512; i++) {
            assertThat(y[i]).isFinite();
        }
        assertThat(c.gathersEncodings()).isTrue();
    }

    @ParameterizedTest(name = "n={0}")
    @ValueSource(ints = {1, 7, 511, 512, 513, 1000, 70_001})
    void ternarySendsOnlyElementsAboveTheThresholdAtTheirMeanMagnitude(int n) {
        float[] x = gaussian(n + 1, 11);
        float[] y = codeAndCheck(Compression.TERNARY, x, n);
        float lambda = SparseTernaryCodec.DEFAULT_THRESHOLD;
        int bucket = SparseTernaryCodec.BUCKET;
        for (int b = 0; b < n; b += bucket) {
            int m = Math.min(bucket, n - b);
            double mean = 0;
            for (int i = 0; i < m; i++) {
                mean += Math.abs(x[1 + b + i]);
            }
            mean /= m;
            double above = 0;
            int count = 0;
            for (int i = 0; i < m; i++) {
                double a = Math.abs(x[1 + b + i]);
                // Elements within float rounding of the threshold may go either way.
                if (Math.abs(a - lambda * mean) < 1e-5 * a) {
                    continue;
                }
                if (a > lambda * mean) {
                    above += a;
                    count++;
                    assertThat(Math.signum(y[b + i])).as("sign at %d", b + i).isEqualTo(Math.signum(x[1 + b + i]));
                } else {
                    assertThat(y[b + i]).as("element %d below the threshold", b + i).isZero();
                }
            }
            if (count > 0) {
                double s = above / count;
                for (int i = 0; i < m; i++) {
                    if (y[b + i] != 0f) {
                        assertThat((double) Math.abs(y[b + i])).as("level at %d", b + i)
                                .isCloseTo(s, org.assertj.core.data.Offset.offset(1e-5 * s));
                    }
                }
            }
        }
    }

    /**
     * The entropy-coded format's size: beyond 32x fewer bytes than floats at the default threshold on
     * gradient-like values, fewer as the threshold rises, never more than the bound, and about 2.1 bits per element
     * when every element is sent (λ = 0).
     */
    @Test
    void ternaryGoesBeyond32xAndStaysWithinItsBound() {
        int n = 65_536;
        float[] x = gaussian(n, 5);
        SparseTernaryCodec codec = new SparseTernaryCodec();
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedBytes(n));
        int previous = Integer.MAX_VALUE;
        for (float lambda : new float[] {0f, 1f, 2.5f, 4f}) {
            codec.threshold(lambda);
            codec.encode(x, 0, n, wire, 0, null, 0);
            int len = codec.encodedLength(wire, 0, n);
            assertThat(len).as("length at λ=%s", lambda).isLessThan(previous).isLessThanOrEqualTo(
                    codec.encodedBytes(n));
            if (lambda == 0f) {
                assertThat(8.0 * len / n).as("bits per element when all are sent").isBetween(2.0, 2.11);
            }
            if (lambda == SparseTernaryCodec.DEFAULT_THRESHOLD) {
                assertThat(4.0 * n / len).as("ratio at the default threshold").isGreaterThan(32);
            }
            previous = len;
        }
        assertThat(8.0 * codec.encodedBytes(n) / n).as("bound, bits per element").isLessThan(2.11);
        // All zeros: the length, and one bit per bucket.
        float[] zeros = new float[n];
        codec.encode(zeros, 0, n, wire, 0, null, 0);
        assertThat(codec.encodedLength(wire, 0, n)).isEqualTo(4 + n / SparseTernaryCodec.BUCKET / 8);
    }

    @Test
    void ternaryRefusesCorruptEncodingsAndBadThresholds() {
        int n = 5000;
        SparseTernaryCodec codec = new SparseTernaryCodec();
        ByteBuffer wire = ByteBuffer.allocate(codec.encodedBytes(n) + 8);
        codec.encode(gaussian(n, 3), 0, n, wire, 0, null, 0);
        int len = codec.encodedLength(wire, 0, n);
        float[] y = new float[n];
        wire.put(0, (byte) 2);
        wire.put(1, (byte) 0);
        wire.put(2, (byte) 0);
        wire.put(3, (byte) 0);
        assertThatThrownBy(() -> codec.decode(wire, 0, y, 0, n, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("claims 2 bytes");
        // A stream cut short (its length says so) runs out of bits.
        wire.put(0, (byte) 12);
        assertThatThrownBy(() -> codec.decode(wire, 0, y, 0, n, false)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ends early");
        assertThat(len).isGreaterThan(12);
        assertThatThrownBy(() -> CollectiveOptions.compressed(Compression.TERNARY).withTernaryThreshold(-1f))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 0");
        assertThatThrownBy(() -> codec.threshold(Float.NaN)).isInstanceOf(IllegalArgumentException.class);
        assertThat(CollectiveOptions.DEFAULT.ternaryThreshold()).isEqualTo(SparseTernaryCodec.DEFAULT_THRESHOLD);
    }

    /**
     * Gradients are clustered (whole rows zero, runs of large values), unlike independent normal values: long zero
     * runs between dense groups give Rice quotients of 32 and more, and every mix of run lengths must decode to what
     * roundTrip says.
     */
    @ParameterizedTest(name = "seed={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void ternaryDecodesClusteredValues(int seed) {
        Random rnd = new Random(seed);
        int n = 20_000 + rnd.nextInt(2000);
        float[] x = new float[n + 1];
        int i = 1;
        while (i <= n) {
            int run = 1 + rnd.nextInt(rnd.nextBoolean() ? 8 : 600);
            float scale = rnd.nextInt(3) == 0 ? 0f : (float) Math.pow(10, rnd.nextInt(7) - 3);
            for (int j = 0; j < run && i <= n; j++, i++) {
                x[i] = (float) (rnd.nextGaussian() * scale);
            }
        }
        SparseTernaryCodec probe = new SparseTernaryCodec();
        for (float lambda : new float[] {0f, 0.5f, 2.5f, 6f}) {
            probe.threshold(lambda);
            ByteBuffer wire = ByteBuffer.allocate(probe.encodedBytes(n));
            float[] lost = new float[n];
            probe.encode(x, 1, n, wire, 0, lost, 0);
            float[] y = new float[n];
            probe.decode(wire, 0, y, 0, n, false);
            float[] rt = new float[n];
            probe.roundTrip(x, 1, n, rt, 0);
            for (int k = 0; k < n; k++) {
                assertThat(Float.floatToRawIntBits(y[k])).as("λ=%s element %d", lambda, k)
                        .isEqualTo(Float.floatToRawIntBits(rt[k]));
                assertThat(lost[k]).isEqualTo(x[1 + k] - y[k]);
            }
        }
    }
}

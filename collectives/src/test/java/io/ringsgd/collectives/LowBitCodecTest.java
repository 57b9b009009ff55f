package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.collectives.codec.SignCodec;
import io.ringsgd.collectives.codec.TernaryCodec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
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
    @ValueSource(strings = {"1bit", "2bit"})
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
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.collectives.codec.Fp16Codec;
import io.ringsgd.collectives.codec.Int8Codec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The codecs of the compressed ring: exact binary16 rounding, int8 error bounds, encode/decode agreement. */
class CodecTest {

    /**
     * What the README and javadoc promise for special values: int8 turns a block (of {@value Int8Codec#BLOCK}) that
     * holds a NaN or an infinity into NaNs, and leaves the other blocks alone; fp16 keeps them element by element.
     */
    @Test
    void int8TurnsABlockWithANaNOrAnInfinityIntoNaNsAndFp16KeepsThem() {
        int n = 3 * Int8Codec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (i % 7) - 3;
        }
        x[5] = Float.NaN;
        x[Int8Codec.BLOCK + 9] = Float.NEGATIVE_INFINITY;
        Codec int8 = Codecs.create(Compression.INT8);
        ByteBuffer wire = ByteBuffer.allocate(int8.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        int8.encode(x, 0, n, wire, 0, null, 0);
        float[] y = new float[n];
        int8.decode(wire, 0, y, 0, n, false);
        for (int i = 0; i < 2 * Int8Codec.BLOCK; i++) {
            assertThat(y[i]).as("element %d of a block with a NaN or an infinity", i).isNaN();
        }
        for (int i = 2 * Int8Codec.BLOCK; i < n; i++) {
            // Within half a step of the block's scale (max |x| / 127 = 3 / 127).
            assertThat(y[i]).as("element %d", i).isCloseTo(x[i], org.assertj.core.data.Offset.offset(1.5f / 127 + 1e-6f));
        }
        Codec fp16 = Codecs.create(Compression.FP16);
        ByteBuffer half = ByteBuffer.allocate(fp16.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        fp16.encode(x, 0, n, half, 0, null, 0);
        fp16.decode(half, 0, y, 0, n, false);
        assertThat(y[5]).isNaN();
        assertThat(y[Int8Codec.BLOCK + 9]).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(y[6]).isEqualTo(x[6]);
    }

    @Test
    void everyHalfRoundTripsAndFloatsRoundToNearestEven() {
        for (int h = 0; h < 65536; h++) {
            float f = Fp16Codec.toFloat((short) h);
            if (Float.isNaN(f)) {
                assertThat(Float.isNaN(Fp16Codec.toFloat(Fp16Codec.toHalf(f)))).isTrue();
                continue;
            }
            assertThat(Fp16Codec.toHalf(f) & 0xffff).as("half 0x%04x", h).isEqualTo(h);
        }
        // Between two adjacent halves, values round to the nearer, ties to the even one.
        Random rnd = new Random(1);
        for (int k = 0; k < 200_000; k++) {
            float x = (float) (rnd.nextGaussian() * Math.pow(10, rnd.nextInt(9) - 6));
            short h = Fp16Codec.toHalf(x);
            float y = Fp16Codec.toFloat(h);
            float up = Fp16Codec.toFloat((short) (h + 1));
            float down = Fp16Codec.toFloat((short) (h - 1));
            if (Math.abs(y) < 65504f && !Float.isInfinite(up) && !Float.isInfinite(down) && !Float.isNaN(up)
                    && !Float.isNaN(down)) {
                assertThat(Math.abs(x - y)).as("x=%s", x).isLessThanOrEqualTo(Math.abs(x - up));
                assertThat(Math.abs(x - y)).as("x=%s", x).isLessThanOrEqualTo(Math.abs(x - down));
            }
        }
        assertThat(Fp16Codec.toFloat(Fp16Codec.toHalf(1e6f))).isInfinite();
        assertThat(Fp16Codec.toFloat(Fp16Codec.toHalf(1e-9f))).isZero();
        assertThat(Fp16Codec.toFloat(Fp16Codec.toHalf(2.5f))).isEqualTo(2.5f);
    }

    @Test
    void int8ErrorIsAtMostHalfAStepAndRoundTripMatchesDecode() {
        Random rnd = new Random(7);
        for (Codec c : new Codec[] {Codecs.create(Compression.INT8), Codecs.create(Compression.FP16)}) {
            for (int n : new int[] {0, 1, 255, 256, 257, 10_000, 16_383, 16_384, 16_385, 40_000}) {
                float[] x = new float[n];
                for (int i = 0; i < n; i++) {
                    x[i] = (float) (rnd.nextGaussian() * 3);
                }
                ByteBuffer b = ByteBuffer.allocateDirect(c.encodedBytes(n) + 8).order(ByteOrder.LITTLE_ENDIAN);
                c.encode(x, 0, n, b, 8);
                float[] dec = new float[n];
                c.decode(b, 8, dec, 0, n, false);
                float[] rt = new float[n];
                c.roundTrip(x, 0, n, rt, 0);
                assertThat(rt).as("roundTrip equals decode(encode)").isEqualTo(dec);
                float[] acc = x.clone();
                c.decode(b, 8, acc, 0, n, true);
                for (int i = 0; i < n; i++) {
                    assertThat(acc[i]).isEqualTo(x[i] + dec[i]);
                }
                if (c instanceof Int8Codec) {
                    for (int blk = 0; blk < n; blk += Int8Codec.BLOCK) {
                        float max = 0;
                        for (int i = blk; i < Math.min(n, blk + Int8Codec.BLOCK); i++) {
                            max = Math.max(max, Math.abs(x[i]));
                        }
                        for (int i = blk; i < Math.min(n, blk + Int8Codec.BLOCK); i++) {
                            assertThat(Math.abs(dec[i] - x[i])).isLessThanOrEqualTo(max / 127f / 2 * 1.0001f);
                        }
                    }
                }
            }
        }
    }

    @Test
    void int8SendsBlocksTooSmallForAFiniteReciprocalAsZerosAndStaysConsistent() {
        Codec c = Codecs.create(Compression.INT8);
        int n = 3 * Int8Codec.BLOCK;
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            // Block 0: subnormal magnitudes; block 1: integers up to 127 (scale 1, exact); block 2: zeros.
            x[i] = i < Int8Codec.BLOCK ? Float.MIN_VALUE * (i % 7 - 3) : i < 2 * Int8Codec.BLOCK ? (i % 255) - 127f : 0f;
        }
        ByteBuffer b = ByteBuffer.allocateDirect(c.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        c.encode(x, 0, n, b, 0);
        float[] dec = new float[n];
        c.decode(b, 0, dec, 0, n, false);
        float[] rt = new float[n];
        c.roundTrip(x, 0, n, rt, 0);
        assertThat(rt).isEqualTo(dec);
        for (int i = 0; i < n; i++) {
            float want = i >= Int8Codec.BLOCK && i < 2 * Int8Codec.BLOCK ? x[i] : 0f;
            assertThat(dec[i]).as("element %d", i).isEqualTo(want);
        }
    }

    @Test
    void int8RoundsHalfStepsToEvenAndClampsAtTheScale() {
        Codec c = Codecs.create(Compression.INT8);
        // max 127 gives scale 1: values are rounded to integers, ties to even.
        float[] x = {127f, 0.5f, 1.5f, 2.5f, -2.5f, -126.4f, 3.49f};
        float[] rt = new float[x.length];
        c.roundTrip(x, 0, x.length, rt, 0);
        assertThat(rt).containsExactly(127f, 0f, 2f, 2f, -2f, -126f, 3f);
    }
}

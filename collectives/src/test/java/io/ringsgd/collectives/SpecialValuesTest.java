package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Adversarial inputs: NaNs with different payloads and signs (quiet and signalling), infinities of both signs, signed
 * zeros, subnormals and the largest finite values, mixed differently on every rank. Whatever the inputs, every rank
 * must end with the same bits (NaN payloads included) for every op, algorithm, element type and group size, and the
 * non-NaN results must equal a serial reduction (all these values reduce exactly).
 */
class SpecialValuesTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(4 << 10).build();
    static final Algorithm[] ALGORITHMS = {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING, Algorithm.RABENSEIFNER,
        Algorithm.TREE};
    /** Odd counts around the pipelining and folding boundaries, and one that spans several segments. */
    static final int[] COUNTS = {1, 7, 1000, 5003};

    static final float[] FLOATS = {
        Float.intBitsToFloat(0x7fc00000), Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xffc00000),
        Float.intBitsToFloat(0xffc12345), Float.intBitsToFloat(0x7f800001), Float.intBitsToFloat(0xff800abc),
        Float.intBitsToFloat(0x7fbfffff), Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 0f, -0f, 1f, -1f, 2f,
        0.5f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MAX_VALUE, -Float.MAX_VALUE};
    static final double[] DOUBLES = {
        Double.longBitsToDouble(0x7ff8000000000000L), Double.longBitsToDouble(0x7ff8000000000001L),
        Double.longBitsToDouble(0xfff8000000000000L), Double.longBitsToDouble(0xfff8123456789abcL),
        Double.longBitsToDouble(0x7ff0000000000001L), Double.longBitsToDouble(0xfff00000000abcdeL),
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 0d, -0d, 1d, -1d, 2d, 0.5d, Double.MIN_VALUE,
        -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE};

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sameBitsOnEveryRankInJvm(int p) {
        check(p, Communicators.runLocal(p, CFG, SpecialValuesTest::runAll));
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8, 9})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void sameBitsOnEveryRankOverTcp(int p) {
        check(p, TcpGroup.run(p, CFG, SpecialValuesTest::runAll));
    }

    /** Every (algorithm, op, type, count) in a fixed order; each result as raw bits. */
    private static List<long[]> runAll(Communicator c) {
        List<long[]> out = new ArrayList<>();
        // Three rounds: the first runs the kernels interpreted, later ones compiled.
        for (int round = 0; round < 3; round++) {
            for (Algorithm a : ALGORITHMS) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                for (ReduceOp op : Inputs.floatingOps()) {
                    for (int n : COUNTS) {
                        float[] f = floats(c.rank(), n, op);
                        c.allreduce(f, 0, n, op, o);
                        long[] fb = new long[n];
                        for (int i = 0; i < n; i++) {
                            fb[i] = Float.floatToRawIntBits(f[i]) & 0xffffffffL;
                        }
                        out.add(fb);
                        double[] d = doubles(c.rank(), n, op);
                        c.allreduce(d, 0, n, op, o);
                        long[] db = new long[n];
                        for (int i = 0; i < n; i++) {
                            db[i] = Double.doubleToRawLongBits(d[i]);
                        }
                        out.add(db);
                    }
                }
            }
            for (Compression z : new Compression[] {Compression.FP16, Compression.INT8}) {
                for (int n : COUNTS) {
                    float[] f = floats(c.rank(), n, ReduceOp.SUM);
                    c.allreduce(f, 0, n, ReduceOp.SUM, CollectiveOptions.compressed(z));
                    long[] fb = new long[n];
                    for (int i = 0; i < n; i++) {
                        fb[i] = Float.floatToRawIntBits(f[i]) & 0xffffffffL;
                    }
                    out.add(fb);
                }
            }
        }
        return out;
    }

    private static void check(int p, List<List<long[]>> results) {
        List<String> bad = new ArrayList<>();
        int k = 0;
        for (int round = 0; round < 3; round++) {
            for (Algorithm a : ALGORITHMS) {
                for (ReduceOp op : Inputs.floatingOps()) {
                    for (int n : COUNTS) {
                        for (int type = 0; type < 2; type++, k++) {
                            String what = a.cliName() + " " + op + " " + (type == 0 ? "float" : "double") + " n=" + n;
                            sameOnEveryRank(bad, what, results, k);
                            long[] bits = results.get(0).get(k);
                            for (int i = 0; i < n; i++) {
                                long want = type == 0 ? Float.floatToRawIntBits(serialFloat(p, i, n, op)) & 0xffffffffL
                                        : Double.doubleToRawLongBits(serialDouble(p, i, n, op));
                                boolean wantNaN = type == 0 ? Float.isNaN(Float.intBitsToFloat((int) want))
                                        : Double.isNaN(Double.longBitsToDouble(want));
                                boolean gotNaN = type == 0 ? Float.isNaN(Float.intBitsToFloat((int) bits[i]))
                                        : Double.isNaN(Double.longBitsToDouble(bits[i]));
                                if (wantNaN != gotNaN || (!wantNaN && want != bits[i])) {
                                    bad.add(what + " element " + i + ": 0x" + Long.toHexString(bits[i])
                                            + " but the serial reduction is 0x" + Long.toHexString(want));
                                    break;
                                }
                            }
                        }
                    }
                }
            }
            for (Compression z : new Compression[] {Compression.FP16, Compression.INT8}) {
                for (int n : COUNTS) {
                    sameOnEveryRank(bad, z.cliName() + " n=" + n, results, k++);
                }
            }
        }
        assertThat(bad).isEmpty();
    }

    private static void sameOnEveryRank(List<String> bad, String what, List<List<long[]>> results, int k) {
        long[] first = results.get(0).get(k);
        for (int r = 1; r < results.size(); r++) {
            long[] other = results.get(r).get(k);
            if (!Arrays.equals(first, other)) {
                int i = Arrays.mismatch(first, other);
                bad.add(what + ": rank " + r + " element " + i + " is 0x" + Long.toHexString(other[i])
                        + ", rank 0 has 0x" + Long.toHexString(first[i]));
            }
        }
    }

    /** Which special value rank {@code r} holds at element {@code i}. */
    private static int pick(int r, int i, int n, int choices) {
        return new SplittableRandom(31L * n + 1_000_003L * i + r).nextInt(choices);
    }

    private static float[] floats(int r, int n, ReduceOp op) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = FLOATS[pick(r, i, n, usable(op, FLOATS.length))];
        }
        return v;
    }

    private static double[] doubles(int r, int n, ReduceOp op) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = DOUBLES[pick(r, i, n, usable(op, DOUBLES.length))];
        }
        return v;
    }

    /**
     * SUM, AVG and PROD leave out the subnormals and the largest finite values (the last four), whose sums and products
     * round or overflow depending on the order; the rest reduce exactly in any order.
     */
    private static int usable(ReduceOp op, int all) {
        return op == ReduceOp.MIN || op == ReduceOp.MAX ? all : all - 4;
    }

    private static float serialFloat(int p, int i, int n, ReduceOp op) {
        return (float) reduce(p, op, r -> (double) FLOATS[pick(r, i, n, usable(op, FLOATS.length))], true);
    }

    private static double serialDouble(int p, int i, int n, ReduceOp op) {
        return reduce(p, op, r -> DOUBLES[pick(r, i, n, usable(op, DOUBLES.length))], false);
    }

    /** The reduction in the element type's own arithmetic (floats stay floats: products must overflow alike). */
    private static double reduce(int p, ReduceOp op, Function<Integer, Double> value, boolean isFloat) {
        double acc = value.apply(0);
        for (int r = 1; r < p; r++) {
            double v = value.apply(r);
            switch (op) {
                case SUM:
                case AVG:
                    acc = isFloat ? (float) acc + (float) v : acc + v;
                    break;
                case PROD:
                    acc = isFloat ? (float) acc * (float) v : acc * v;
                    break;
                case MIN:
                    acc = Math.min(acc, v);
                    break;
                default:
                    acc = Math.max(acc, v);
            }
        }
        if (op == ReduceOp.AVG) {
            acc = isFloat ? (float) acc / p : acc / p;
        }
        return acc;
    }
}

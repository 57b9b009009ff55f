package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The BCube AllReduce: exact results for every op and element type, on BCube(2,1), BCube(2,2), BCube(3,1) and the
 * one-level fallbacks, in-JVM and over TCP; random floats bit-equal to a serial fold in the documented tree order on
 * every rank; the one-line rejection of a group size that is not n^(k+1). A stalled peer: {@link FailureTest}.
 */
class BcubeAllreduceTest {
    private static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    private static int[] counts(int p) {
        return new int[] {0, 1, p - 1, p + 1, 2 * p + 3, 1001, (1 << 16) + 3};
    }

    @ParameterizedTest(name = "P={0} n={1}")
    @CsvSource({"2,0", "3,0", "4,0", "4,4", "6,0", "8,0", "8,8", "9,0", "16,4"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inJvmEveryOpAndType(int p, int base) {
        List<List<String>> failures = Communicators.runLocal(p, CFG, comm -> check(comm, p, base));
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {4, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void overTcpEveryOpAndType(int p) {
        List<List<String>> failures = TcpGroup.run(p, CFG, false, comm -> check(comm, p, 0));
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    private static List<String> check(Communicator comm, int p, int base) {
        List<String> bad = new ArrayList<>();
        int r = comm.rank();
        CollectiveOptions o = CollectiveOptions.algorithm(Algorithm.BCUBE).withBcubeBase(base);
        for (int n : counts(p)) {
            for (ReduceOp op : Inputs.floatingOps()) {
                float[] f = Inputs.floats(op, r, n);
                comm.allreduce(f, 0, n, op, o);
                int i = Inputs.firstMismatch(f, op, p);
                if (i >= 0) {
                    bad.add("float " + op + " n=" + n + " rank " + r + " element " + i + " = " + f[i]);
                }
                double[] d = Inputs.doubles(op, r, n);
                double[] out = new double[n];
                comm.allreduce(ElementBuffer.of(d, 0, n), ElementBuffer.of(out, 0, n), op, o);
                i = Inputs.firstMismatch(out, op, p);
                if (i >= 0) {
                    bad.add("double out-of-place " + op + " n=" + n + " rank " + r + " element " + i);
                }
            }
            for (ElementType t : IntegerInputs.TYPES) {
                for (ReduceOp op : IntegerInputs.OPS) {
                    ElementBuffer b = IntegerInputs.input(t, r, 0, n, (n & 1) == 1);
                    comm.allreduce(null, b, op, o);
                    for (int i = 0; i < n; i++) {
                        if (b.getLong(i) != IntegerInputs.expected(t, op, 0, p - 1, i)) {
                            bad.add(t + " " + op + " n=" + n + " rank " + r + " element " + i);
                            break;
                        }
                    }
                }
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {4, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void randomFloatsMatchTheTreeOrderBitForBitOnEveryRank(int p) {
        int n = 10_007;
        List<String> failures = Communicators.runLocal(p, CFG, comm -> {
            float[] v = new float[n];
            for (int i = 0; i < n; i++) {
                v[i] = value(comm.rank(), i);
            }
            Request req = comm.iallreduce(null, ElementBuffer.of(v), ReduceOp.SUM,
                    CollectiveOptions.algorithm(Algorithm.BCUBE));
            assertThat(req.await(Duration.ofSeconds(60))).isTrue();
            int base = p == 9 ? 3 : 2;
            for (int i = 0; i < n; i++) {
                float want = treeOrderSum(p, base, n, i);
                if (Float.floatToRawIntBits(v[i]) != Float.floatToRawIntBits(want)) {
                    return "rank " + comm.rank() + " element " + i + " = " + v[i] + ", serial tree fold " + want;
                }
            }
            return "";
        });
        assertThat(failures).containsOnly("");
    }

    /** A float with a full mantissa, so that the order of a sum shows in its rounding. */
    private static float value(int r, int i) {
        long h = (i + 1L) * 0x9E3779B97F4A7C15L ^ (r + 7L) * 0xC2B2AE3D27D4EB4FL;
        h ^= h >>> 31;
        return (float) ((h % 1_000_003) / 7919.0);
    }

    /**
     * The serial reference: element i lies in slice s of the k+1 slices; levels s, s+1, … (mod k+1) fold the n
     * members of each group in digit order, level after level.
     */
    private static float treeOrderSum(int p, int base, int n, int i) {
        int levels = 0;
        for (int q = 1; q < p; q *= base) {
            levels++;
        }
        int s = 0;
        while (s + 1 < levels && io.ringsgd.collectives.algorithm.RingLayout.chunkStart(n, levels, s + 1) <= i) {
            s++;
        }
        float[] part = new float[p];
        for (int r = 0; r < p; r++) {
            part[r] = value(r, i);
        }
        for (int u = 0; u < levels; u++) {
            int stride = 1;
            for (int e = 0; e < (s + u) % levels; e++) {
                stride *= base;
            }
            float[] next = new float[p];
            for (int r = 0; r < p; r++) {
                int first = r - ((r / stride) % base) * stride;
                float acc = part[first];
                for (int j = 1; j < base; j++) {
                    acc += part[first + j * stride];
                }
                next[r] = acc;
            }
            part = next;
        }
        return part[0];
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aGroupThatIsNoPowerOfNIsRejectedAtTheCall() {
        List<String> out = Communicators.runLocal(8, CFG, comm -> {
            assertThatThrownBy(() -> comm.allreduce(null, ElementBuffer.of(new float[16]), ReduceOp.SUM,
                    CollectiveOptions.algorithm(Algorithm.BCUBE).withBcubeBase(3)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("bcube needs a group of n^(k+1) ranks: 8 is not a power of n=3; set bcube.n to a base"
                            + " whose power is 8 (or 0 to pick one) or use another algorithm");
            float[] v = {1};
            comm.allreduce(v, 0, 1, ReduceOp.SUM, CollectiveOptions.algorithm(Algorithm.BCUBE));
            return v[0] == 8 ? "ok" : "got " + v[0];
        });
        assertThat(out).containsOnly("ok");
        assertThatThrownBy(() -> CollectiveOptions.DEFAULT.withBcubeBase(1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 2");
    }

    @Test
    void defaultBaseIsTheSmallestThatFits() {
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.defaultBase(4)).isEqualTo(2);
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.defaultBase(8)).isEqualTo(2);
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.defaultBase(9)).isEqualTo(3);
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.defaultBase(36)).isEqualTo(6);
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.defaultBase(7)).isEqualTo(7);
        assertThat(io.ringsgd.collectives.algorithm.BcubeAllreduce.levels(27, 0)).isEqualTo(3);
    }
}

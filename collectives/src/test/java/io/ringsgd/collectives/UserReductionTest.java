package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User reductions: a non-commutative one (composition of affine maps x → a·x + b, packed in a long) comes out in
 * rank order on every rank and at every root; a commutative one equals the built-in op; algorithms that reorder
 * operands are refused at the call for a non-commutative one; a user reduction on one rank and a built-in op on another is a mismatch.
 */
class UserReductionTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    /** (a1, b1) then (a2, b2): x → a2·(a1·x + b1) + b2, in int arithmetic. */
    static long compose(long f, long g) {
        int a1 = (int) (f >> 32);
        int b1 = (int) f;
        int a2 = (int) (g >> 32);
        int b2 = (int) g;
        return ((long) (a2 * a1) << 32) | ((a2 * b1 + b2) & 0xffffffffL);
    }

    static final UserReduction AFFINE = UserReduction.nonCommutative("affine composition",
            (in, io, out, oo, n) -> {
                for (int i = 0; i < n; i++) {
                    out.setLong(oo + i, compose(in.getLong(io + i), out.getLong(oo + i)));
                }
            });

    static final UserReduction XOR = UserReduction.commutative("xor", (in, io, out, oo, n) -> {
        for (int i = 0; i < n; i++) {
            out.setLong(oo + i, in.getLong(io + i) ^ out.getLong(oo + i));
        }
    });

    static long map(int r, int i) {
        return ((long) (r * 3 + i % 5 + 1) << 32) | ((r * 7 + i) & 0xffffffffL);
    }

    static List<String> run(Communicator c) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (int n : new int[] {0, 1, 17, 3001}) {
            long[] want = new long[n];
            for (int i = 0; i < n; i++) {
                want[i] = map(0, i);
                for (int q = 1; q < p; q++) {
                    want[i] = compose(want[i], map(q, i));
                }
            }
            long[] data = new long[n];
            for (int i = 0; i < n; i++) {
                data[i] = map(r, i);
            }
            long[] out = new long[n];
            if (n % 2 == 0) {
                c.allreduce(ElementBuffer.of(data), ElementBuffer.of(out), AFFINE, CollectiveOptions.DEFAULT);
            } else {
                c.iallreduce(ElementBuffer.of(data), ElementBuffer.of(out), AFFINE, CollectiveOptions.DEFAULT).await();
            }
            if (!java.util.Arrays.equals(out, want)) {
                bad.add("allreduce affine n=" + n + " rank " + r);
            }
            for (int root = 0; root < p; root++) {
                long[] at = r == root ? data.clone() : null;
                c.reduce(r == root ? null : ElementBuffer.of(data), at == null ? null : ElementBuffer.of(at), AFFINE,
                        root, CollectiveOptions.algorithm(Algorithm.TREE));
                if (at != null && !java.util.Arrays.equals(at, want)) {
                    bad.add("reduce affine in place n=" + n + " root " + root);
                }
            }
            ElementBuffer x = IntegerInputs.input(ElementType.INT, r, 0, n, n % 2 == 1);
            c.allreduce(null, x, XOR, CollectiveOptions.DEFAULT);
            for (int i = 0; i < n; i++) {
                if (x.getLong(i) != IntegerInputs.expected(ElementType.INT, ReduceOp.BXOR, 0, p - 1, i)) {
                    bad.add("allreduce xor n=" + n + " rank " + r + " [" + i + "]");
                    break;
                }
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        Communicators.runLocal(p, CFG, UserReductionTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 5})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void overTcp(int p) {
        TcpGroup.run(p, CFG, UserReductionTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reorderingAlgorithmsAreRefusedUpFront() {
        List<String> m = Communicators.runLocal(1, CFG, c -> {
            List<String> out = new ArrayList<>();
            for (Algorithm a : new Algorithm[] {Algorithm.RING, Algorithm.RABENSEIFNER}) {
                for (UserReduction op : new UserReduction[] {AFFINE, XOR}) {
                    try {
                        c.allreduce(null, ElementBuffer.of(new long[3]), op, CollectiveOptions.algorithm(a));
                        out.add("no exception");
                    } catch (IllegalArgumentException e) {
                        out.add(e.getMessage());
                    }
                }
            }
            return out;
        }).get(0);
        assertThat(m.get(0)).isEqualTo("the ring algorithm cannot run the user reduction 'affine composition': it"
                + " combines the ranks' operands out of rank order, and the reduction is not commutative; use auto,"
                + " tree or recursive-doubling");
        // A commutative reduction runs on the ring.
        assertThat(m.get(1)).isEqualTo("no exception");
        assertThat(m.get(2)).contains("rabenseifner");
        assertThat(m.get(3)).contains("allreduce runs user reductions on tree, recursive-doubling, ring only");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aUserReductionAgainstABuiltInOpIsAMismatch() {
        List<Object> out = TcpGroup.runCatching(3, CFG, c -> {
            long[] v = new long[8];
            if (c.rank() == 1) {
                // The same algorithm on both sides, so that only the op differs (AUTO may pick recursive doubling).
                c.allreduce(null, ElementBuffer.of(v), XOR, CollectiveOptions.algorithm(Algorithm.TREE));
            } else {
                c.allreduce(null, ElementBuffer.of(v), ReduceOp.BXOR, CollectiveOptions.algorithm(Algorithm.TREE));
            }
            c.barrier();
            return "completed";
        });
        assertThat(out).allSatisfy(o -> assertThat(o).isInstanceOf(CollectiveException.class));
        assertThat(out).anySatisfy(o -> assertThat((Throwable) o).isInstanceOf(CollectiveMismatchException.class)
                .hasMessageContaining("the reduce op differs"));
    }
}

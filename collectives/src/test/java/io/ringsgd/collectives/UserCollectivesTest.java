package io.ringsgd.collectives;

import static io.ringsgd.collectives.UserReductionTest.AFFINE;
import static io.ringsgd.collectives.UserReductionTest.XOR;
import static io.ringsgd.collectives.UserReductionTest.compose;
import static io.ringsgd.collectives.UserReductionTest.map;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.Refusals;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * User reductions beyond the tree: allreduce on recursive doubling (non-commutative, in rank order) and on the ring
 * (commutative only), reduce-scatter with equal and per-rank blocks, scan and exscan, blocking and not, in place
 * where the forms have it; every result against the serial composition in rank order, on every rank.
 */
class UserCollectivesTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    /** map(lo) ∘ … ∘ map(hi) for element i. */
    static long composed(int lo, int hi, int i) {
        long f = map(lo, i);
        for (int q = lo + 1; q <= hi; q++) {
            f = compose(f, map(q, i));
        }
        return f;
    }

    static long[] mine(int r, int n) {
        long[] d = new long[n];
        for (int i = 0; i < n; i++) {
            d[i] = map(r, i);
        }
        return d;
    }

    static void expect(List<String> bad, String what, long[] got, java.util.function.IntToLongFunction want) {
        for (int i = 0; i < got.length; i++) {
            if (got[i] != want.applyAsLong(i)) {
                bad.add(what + " [" + i + "] = " + got[i] + ", expected " + want.applyAsLong(i));
                return;
            }
        }
    }

    static List<String> run(Communicator c) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (int n : new int[] {0, 1, 17, 4099}) {
            boolean nb = n % 2 == 1;
            String tag = " n=" + n + " rank " + r + (nb ? " non-blocking" : "");
            for (Algorithm a : new Algorithm[] {Algorithm.AUTO, Algorithm.TREE, Algorithm.RECURSIVE_DOUBLING}) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                long[] out = new long[n];
                MoreCollectivesTest.go(nb, () -> c.allreduce(ElementBuffer.of(mine(r, n)), ElementBuffer.of(out),
                        AFFINE, o), () -> c.iallreduce(ElementBuffer.of(mine(r, n)), ElementBuffer.of(out), AFFINE, o));
                expect(bad, "allreduce affine " + a + tag, out, i -> composed(0, p - 1, i));
            }
            for (Algorithm a : new Algorithm[] {Algorithm.RING, Algorithm.AUTO, Algorithm.RECURSIVE_DOUBLING}) {
                ElementBuffer x = IntegerInputs.input(ElementType.INT, r, 0, n, n % 3 == 1);
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                MoreCollectivesTest.go(nb, () -> c.allreduce(null, x, XOR, o), () -> c.iallreduce(null, x, XOR, o));
                MoreCollectivesTest.compare(bad, "allreduce xor " + a + tag, x,
                        i -> IntegerInputs.expected(ElementType.INT, ReduceOp.BXOR, 0, p - 1, i));
            }
            // reduce-scatter, equal blocks of n
            long[] block = new long[n];
            long[] all = new long[n * p];
            for (int q = 0; q < p; q++) {
                for (int i = 0; i < n; i++) {
                    all[q * n + i] = map(r, q * n + i);
                }
            }
            MoreCollectivesTest.go(nb, () -> c.reduceScatter(ElementBuffer.of(all), ElementBuffer.of(block), AFFINE,
                    CollectiveOptions.DEFAULT), () -> c.ireduceScatter(ElementBuffer.of(all), ElementBuffer.of(block),
                            AFFINE, CollectiveOptions.DEFAULT));
            expect(bad, "reduceScatter affine" + tag, block, i -> composed(0, p - 1, r * n + i));
            // reduce-scatterv, counts (n + 3q) % 7 (zeros included)
            int[] counts = new int[p];
            int[] packed = new int[p];
            int total = 0;
            for (int q = 0; q < p; q++) {
                counts[q] = (n + 3 * q) % 7;
                packed[q] = total;
                total += counts[q];
            }
            long[] piece = new long[counts[r]];
            long[] source = mine(r, total);
            MoreCollectivesTest.go(nb, () -> c.reduceScatterv(ElementBuffer.of(source), ElementBuffer.of(piece),
                    counts, AFFINE, CollectiveOptions.DEFAULT), () -> c.ireduceScatterv(ElementBuffer.of(source),
                            ElementBuffer.of(piece), counts, AFFINE, CollectiveOptions.DEFAULT));
            expect(bad, "reduceScatterv affine" + tag, piece, i -> composed(0, p - 1, packed[r] + i));
            // scan in place, exscan out of place (rank 0's recv left as it was)
            long[] prefix = mine(r, n);
            MoreCollectivesTest.go(nb, () -> c.scan(null, ElementBuffer.of(prefix), AFFINE, CollectiveOptions.DEFAULT),
                    () -> c.iscan(null, ElementBuffer.of(prefix), AFFINE, CollectiveOptions.DEFAULT));
            expect(bad, "scan affine" + tag, prefix, i -> composed(0, r, i));
            long[] before = new long[n];
            Arrays.fill(before, 42);
            MoreCollectivesTest.go(nb, () -> c.exscan(ElementBuffer.of(mine(r, n)), ElementBuffer.of(before), AFFINE,
                    CollectiveOptions.DEFAULT), () -> c.iexscan(ElementBuffer.of(mine(r, n)), ElementBuffer.of(before),
                            AFFINE, CollectiveOptions.DEFAULT));
            expect(bad, "exscan affine" + tag, before, i -> r == 0 ? 42 : composed(0, r - 1, i));
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        Communicators.runLocal(p, CFG, UserCollectivesTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void overTcp(int p) {
        TcpGroup.run(p, CFG, UserCollectivesTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void algorithmsThatCannotKeepTheOrderAreRefusedUpFront() {
        List<String> m = Communicators.runLocal(2, CFG, c -> Refusals.messages(List.<Runnable>of(
                () -> c.scan(null, ElementBuffer.of(new long[2]), AFFINE, CollectiveOptions.algorithm(Algorithm.RING)),
                () -> c.reduceScatter(ElementBuffer.of(new long[4]), ElementBuffer.of(new long[2]), XOR,
                        CollectiveOptions.algorithm(Algorithm.RING)),
                () -> c.allreduce(null, ElementBuffer.of(new long[2]), XOR,
                        CollectiveOptions.algorithm(Algorithm.RABENSEIFNER)),
                () -> c.reduceScatterv(ElementBuffer.of(new long[4]), ElementBuffer.of(new long[2]),
                        new int[] {2, 1}, AFFINE, CollectiveOptions.DEFAULT)))).get(0);
        assertThat(m.get(0)).isEqualTo("the ring algorithm cannot run the user reduction 'affine composition': it"
                + " combines the ranks' operands out of rank order, and the reduction is not commutative; use auto or"
                + " recursive-doubling");
        assertThat(m.get(1)).isEqualTo("the ring algorithm cannot run the user reduction 'xor': reduceScatter runs"
                + " user reductions on tree only; use auto or tree");
        assertThat(m.get(2)).contains("allreduce runs user reductions on tree, recursive-doubling, ring only");
        assertThat(m.get(3)).isEqualTo("send has 4 elements but reduceScatterv reduces the sum of the recvCounts, 3");
    }
}

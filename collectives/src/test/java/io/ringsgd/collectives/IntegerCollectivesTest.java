package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * AllReduce (every algorithm), reduce, reduce-scatter, all-gather and broadcast of {@code int}, {@code long} and
 * {@code byte} elements with every integer op, in arrays and direct NIO buffers, on the in-JVM and TCP transports,
 * against a serial fold in Java's wrap-around arithmetic (exact, so every rank also holds the same bits).
 */
class IntegerCollectivesTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(16 << 10).build();
    static final Algorithm[] ALLREDUCE = {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING, Algorithm.RABENSEIFNER,
        Algorithm.TREE};

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        check(Communicators.runLocal(p, CFG, c -> everything(c, new int[] {0, 1, p + 2, 1009, 20_011})));
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 5})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overTcp(int p) {
        check(TcpGroup.run(p, CFG, c -> everything(c, new int[] {0, 1, p + 2, 20_011})));
    }

    private static void check(List<List<String>> failures) {
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    static List<String> everything(Communicator c, int[] counts) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (ElementType t : IntegerInputs.TYPES) {
            for (int n : counts) {
                boolean direct = n % 2 == 1;
                for (ReduceOp op : IntegerInputs.OPS) {
                    for (Algorithm a : ALLREDUCE) {
                        ElementBuffer buf = IntegerInputs.input(t, r, 0, n, direct);
                        c.allreduce(null, buf, op, CollectiveOptions.algorithm(a));
                        compare(bad, "allreduce " + a + " " + t + " " + op + " n=" + n + " rank " + r, buf,
                                i -> IntegerInputs.expected(t, op, 0, p - 1, i));
                    }
                    for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING}) {
                        int root = (n + a.ordinal()) % p;
                        ElementBuffer send = IntegerInputs.input(t, r, 0, n, !direct);
                        ElementBuffer recv = r == root ? IntegerInputs.buffer(t, n, direct, i -> 7) : null;
                        c.reduce(send, recv, op, root, CollectiveOptions.algorithm(a));
                        if (recv != null) {
                            compare(bad, "reduce " + a + " " + t + " " + op + " n=" + n + " root " + root, recv,
                                    i -> IntegerInputs.expected(t, op, 0, p - 1, i));
                        }
                        compare(bad, "reduce left send intact " + t, send, i -> IntegerInputs.value(t, r, i));
                        ElementBuffer all = IntegerInputs.input(t, r, 0, n * p, direct);
                        ElementBuffer mine = IntegerInputs.buffer(t, n, !direct, i -> 0);
                        c.reduceScatter(all, mine, op, CollectiveOptions.algorithm(a));
                        compare(bad, "reduceScatter " + a + " " + t + " " + op + " n=" + n + " rank " + r, mine,
                                i -> IntegerInputs.expected(t, op, 0, p - 1, (long) r * n + i));
                    }
                }
                for (Algorithm a : new Algorithm[] {Algorithm.RECURSIVE_DOUBLING, Algorithm.RING}) {
                    ElementBuffer mine = IntegerInputs.input(t, r, 0, n, direct);
                    ElementBuffer all = IntegerInputs.buffer(t, n * p, !direct, i -> 0);
                    c.allgather(mine, all, CollectiveOptions.algorithm(a));
                    compare(bad, "allgather " + a + " " + t + " n=" + n + " rank " + r, all,
                            i -> IntegerInputs.value(t, (int) (i / Math.max(n, 1)), i % Math.max(n, 1)));
                }
                for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING}) {
                    int root = p - 1;
                    ElementBuffer data = r == root ? IntegerInputs.input(t, root, 0, n, direct)
                            : IntegerInputs.buffer(t, n, direct, i -> 0);
                    c.broadcast(data, root, CollectiveOptions.algorithm(a));
                    compare(bad, "broadcast " + a + " " + t + " n=" + n + " rank " + r, data,
                            i -> IntegerInputs.value(t, root, i));
                }
            }
        }
        return bad;
    }

    static void compare(List<String> bad, String what, ElementBuffer got, java.util.function.LongUnaryOperator want) {
        for (int i = 0; i < got.count(); i++) {
            long e = want.applyAsLong(i);
            if (got.getLong(i) != e) {
                bad.add(what + ": element " + i + " is " + got.getLong(i) + ", expected " + e);
                return;
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void wrapAroundIsJavas() {
        List<int[]> out = Communicators.runLocal(3, CFG, c -> {
            int[] v = {Integer.MAX_VALUE, Integer.MIN_VALUE, 1 << 30};
            c.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
            return v;
        });
        for (int[] v : out) {
            assertThat(v).containsExactly(Integer.MAX_VALUE * 3, Integer.MIN_VALUE * 3, (1 << 30) * 3);
        }
        List<byte[]> bytes = Communicators.runLocal(2, CFG, c -> {
            byte[] v = {(byte) 200, 100, 5};
            c.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
            return v;
        });
        for (byte[] v : bytes) {
            assertThat(v).containsExactly((byte) 144, (byte) 200, (byte) 10);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void opsThatDoNotApplyAreRefusedAtTheCall() {
        List<String> msgs = Communicators.runLocal(2, CFG, c -> {
            List<String> m = new ArrayList<>();
            Function<Runnable, String> msg = call -> {
                try {
                    call.run();
                    return "no exception";
                } catch (IllegalArgumentException e) {
                    return e.getMessage();
                }
            };
            m.add(msg.apply(() -> c.allreduce(null, ElementBuffer.of(new float[3]), ReduceOp.BAND,
                    CollectiveOptions.DEFAULT)));
            m.add(msg.apply(() -> c.allreduce(null, ElementBuffer.of(new int[3]), ReduceOp.AVG,
                    CollectiveOptions.DEFAULT)));
            m.add(msg.apply(() -> c.allreduce(null, ElementBuffer.of(new int[3]), ReduceOp.SUM,
                    CollectiveOptions.algorithm(Algorithm.NATIVE))));
            c.barrier();
            return String.join("\n", m);
        });
        assertThat(msgs.get(0)).contains("op BAND does not apply to float elements")
                .contains("op AVG does not apply to int elements").contains("has no native algorithm");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aTypeMismatchFailsEveryRank() {
        List<Object> results = TcpGroup.runCatching(3, CFG, c -> {
            ElementBuffer b = c.rank() == 1 ? ElementBuffer.of(new long[4]) : ElementBuffer.of(new double[4]);
            c.allreduce(null, b, ReduceOp.SUM, CollectiveOptions.DEFAULT);
            return "completed";
        });
        for (Object o : results) {
            assertThat(o).isInstanceOf(CollectiveException.class);
        }
        assertThat(results).anySatisfy(o -> assertThat((Throwable) o).isInstanceOf(CollectiveMismatchException.class)
                .hasMessageContaining("the element type differs"));
        assertThatThrownBy(() -> ReduceOp.parse("nand")).hasMessageContaining("band, bor, bxor, land, lor");
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.Refusals;
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
 * MINLOC and MAXLOC: the extreme value and the lowest index among the ranks that hold it (ties everywhere, indices
 * not in rank order), every element type, every AllReduce algorithm, blocking and not, in-JVM and TCP.
 */
class LocOpsTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    static long value(int r, int i) {
        return (i * 3L + r * 5L) % 4 - 1;
    }

    static int index(int r, int i) {
        return (r * 7 + i) % 11;
    }

    static List<String> run(Communicator c) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (ElementType t : ElementType.values()) {
            for (int n : new int[] {0, 1, 13, 5003}) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MINLOC, ReduceOp.MAXLOC}) {
                    for (Algorithm a : IntegerCollectivesTest.ALLREDUCE) {
                        ElementBuffer v = IntegerInputs.buffer(t, n, n % 2 == 1, i -> value(r, (int) i));
                        ElementBuffer x = IntegerInputs.buffer(ElementType.INT, n, false, i -> index(r, (int) i));
                        if (a == Algorithm.TREE) {
                            c.iallreduceLoc(v, x, op, CollectiveOptions.algorithm(a)).await();
                        } else {
                            c.allreduceLoc(v, x, op, CollectiveOptions.algorithm(a));
                        }
                        for (int i = 0; i < n; i++) {
                            long best = value(0, i);
                            for (int q = 1; q < p; q++) {
                                best = op == ReduceOp.MINLOC ? Math.min(best, value(q, i))
                                        : Math.max(best, value(q, i));
                            }
                            int at = Integer.MAX_VALUE;
                            for (int q = 0; q < p; q++) {
                                if (value(q, i) == best) {
                                    at = Math.min(at, index(q, i));
                                }
                            }
                            if (v.getLong(i) != best || x.getLong(i) != at) {
                                bad.add(op + " " + a + " " + t + " n=" + n + " rank " + r + " [" + i + "] = ("
                                        + v.getLong(i) + ", " + x.getLong(i) + "), expected (" + best + ", " + at
                                        + ")");
                                break;
                            }
                        }
                    }
                }
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 5})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        Communicators.runLocal(p, CFG, LocOpsTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void overTcp() {
        TcpGroup.run(3, CFG, LocOpsTest::run).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void minlocIsRefusedByPlainReductionsAndChecked() {
        List<String> m = Communicators.runLocal(1, CFG, c -> Refusals.messages(List.<Runnable>of(
                () -> c.allreduce(null, ElementBuffer.of(new float[2]), ReduceOp.MINLOC, CollectiveOptions.DEFAULT),
                () -> c.allreduceLoc(ElementBuffer.of(new float[2]), ElementBuffer.of(new long[2]),
                        ReduceOp.MINLOC, CollectiveOptions.DEFAULT),
                () -> c.allreduceLoc(ElementBuffer.of(new float[2]), ElementBuffer.of(new int[3]),
                        ReduceOp.MAXLOC, CollectiveOptions.DEFAULT),
                () -> c.allreduceLoc(ElementBuffer.of(new float[2]), ElementBuffer.of(new int[2]),
                        ReduceOp.SUM, CollectiveOptions.DEFAULT)))).get(0);
        assertThat(m.get(0)).contains("call allreduceLoc");
        assertThat(m.get(1)).contains("indices holds longs: pass int indices");
        assertThat(m.get(2)).contains("values has 2 elements but indices 3");
        assertThat(m.get(3)).contains("allreduceLoc takes MINLOC or MAXLOC, got SUM");
    }
}

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
 * MINLOC and MAXLOC to a root ({@code reduceLoc}) on every element type and reduce algorithm, blocking and not, with
 * ties everywhere, against a serial reference; the other ranks' inputs left as they were. The prefix form
 * ({@code scanLoc}) on every type. Special float and double values (−0.0 below +0.0, a NaN wins, ties to the lowest
 * index) in {@code allreduceLoc}, {@code reduceLoc} and {@code scanLoc}, bit-identical on every rank.
 */
class ReduceLocTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();
    static final Algorithm[] REDUCE = {Algorithm.TREE, Algorithm.RING, Algorithm.AUTO};

    static List<String> toRoot(Communicator c) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (ElementType t : ElementType.values()) {
            for (int n : new int[] {0, 1, 13, 2003}) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MINLOC, ReduceOp.MAXLOC}) {
                    for (Algorithm a : REDUCE) {
                        int root = (n + a.ordinal() + op.ordinal()) % p;
                        ElementBuffer v = IntegerInputs.buffer(t, n, n % 2 == 1, i -> LocOpsTest.value(r, (int) i));
                        ElementBuffer x = IntegerInputs.buffer(ElementType.INT, n, n % 3 == 1,
                                i -> LocOpsTest.index(r, (int) i));
                        CollectiveOptions o = CollectiveOptions.algorithm(a);
                        if (a == Algorithm.TREE) {
                            c.ireduceLoc(v, x, op, root, o).await();
                        } else {
                            c.reduceLoc(v, x, op, root, o);
                        }
                        for (int i = 0; i < n; i++) {
                            long best = LocOpsTest.value(0, i);
                            for (int q = 1; q < p; q++) {
                                best = op == ReduceOp.MINLOC ? Math.min(best, LocOpsTest.value(q, i))
                                        : Math.max(best, LocOpsTest.value(q, i));
                            }
                            int at = Integer.MAX_VALUE;
                            for (int q = 0; q < p; q++) {
                                if (LocOpsTest.value(q, i) == best) {
                                    at = Math.min(at, LocOpsTest.index(q, i));
                                }
                            }
                            long wantV = r == root ? best : LocOpsTest.value(r, i);
                            long wantX = r == root ? at : LocOpsTest.index(r, i);
                            if (v.getLong(i) != wantV || x.getLong(i) != wantX) {
                                bad.add(op + " " + a + " " + t + " n=" + n + " root " + root + " rank " + r + " [" + i
                                        + "] = (" + v.getLong(i) + ", " + x.getLong(i) + "), expected (" + wantV
                                        + ", " + wantX + ")");
                                break;
                            }
                        }
                    }
                }
            }
        }
        return bad;
    }

    static List<String> prefixes(Communicator c) {
        List<String> bad = new ArrayList<>();
        int r = c.rank();
        for (ElementType t : ElementType.values()) {
            for (int n : new int[] {0, 1, 13, 2003}) {
                for (ReduceOp op : new ReduceOp[] {ReduceOp.MINLOC, ReduceOp.MAXLOC}) {
                    ElementBuffer v = IntegerInputs.buffer(t, n, n % 2 == 1, i -> LocOpsTest.value(r, (int) i));
                    ElementBuffer x = IntegerInputs.buffer(ElementType.INT, n, n % 3 == 1,
                            i -> LocOpsTest.index(r, (int) i));
                    if (n % 2 == 0) {
                        c.iscanLoc(v, x, op, CollectiveOptions.DEFAULT).await();
                    } else {
                        c.scanLoc(v, x, op, CollectiveOptions.DEFAULT);
                    }
                    for (int i = 0; i < n; i++) {
                        long best = LocOpsTest.value(0, i);
                        for (int q = 1; q <= r; q++) {
                            best = op == ReduceOp.MINLOC ? Math.min(best, LocOpsTest.value(q, i))
                                    : Math.max(best, LocOpsTest.value(q, i));
                        }
                        int at = Integer.MAX_VALUE;
                        for (int q = 0; q <= r; q++) {
                            if (LocOpsTest.value(q, i) == best) {
                                at = Math.min(at, LocOpsTest.index(q, i));
                            }
                        }
                        if (v.getLong(i) != best || x.getLong(i) != at) {
                            bad.add("scanLoc " + op + " " + t + " n=" + n + " rank " + r + " [" + i + "] = ("
                                    + v.getLong(i) + ", " + x.getLong(i) + "), expected (" + best + ", " + at + ")");
                            break;
                        }
                    }
                }
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void prefixesInJvm(int p) {
        Communicators.runLocal(p, CFG, ReduceLocTest::prefixes).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void prefixesOverTcp() {
        TcpGroup.run(3, CFG, ReduceLocTest::prefixes).forEach(b -> assertThat(b).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void toRootInJvm(int p) {
        Communicators.runLocal(p, CFG, ReduceLocTest::toRoot).forEach(b -> assertThat(b).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void toRootOverTcp(int p) {
        TcpGroup.run(p, CFG, ReduceLocTest::toRoot).forEach(b -> assertThat(b).isEmpty());
    }

    static final double[] SPECIAL = {-0.0, 0.0, Double.NaN, 1.5, -1.5, Double.NEGATIVE_INFINITY,
        Double.POSITIVE_INFINITY, 0.0, -0.0};

    /** Rank q's value of element i: special values spread so that every pair meets somewhere. */
    static double special(int q, int i) {
        return SPECIAL[(q * (i / SPECIAL.length + 1) + i) % SPECIAL.length];
    }

    static int specialIndex(int q, int i) {
        return (q * 5 + i) % 4 - 2;
    }

    /** The serial reference: Math.min / Math.max order (Double.compare, −0.0 below +0.0), a NaN wins. */
    static double[] reference(int p, int i, boolean min) {
        double best = special(0, i);
        for (int q = 1; q < p; q++) {
            double v = special(q, i);
            if (Double.isNaN(best) || Double.isNaN(v)) {
                best = Double.NaN;
            } else if (min ? Double.compare(v, best) < 0 : Double.compare(v, best) > 0) {
                best = v;
            }
        }
        int at = Integer.MAX_VALUE;
        for (int q = 0; q < p; q++) {
            double v = special(q, i);
            if (Double.isNaN(best) ? Double.isNaN(v) : Double.compare(v, best) == 0) {
                at = Math.min(at, specialIndex(q, i));
            }
        }
        return new double[] {best, at};
    }

    static List<String> specials(Communicator c) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        int n = 4 * SPECIAL.length * SPECIAL.length;
        for (ElementType t : new ElementType[] {ElementType.FLOAT, ElementType.DOUBLE}) {
            for (ReduceOp op : new ReduceOp[] {ReduceOp.MINLOC, ReduceOp.MAXLOC}) {
                for (String form : new String[] {"all", "root", "scan"}) {
                    boolean all = !form.equals("root");
                    ElementBuffer v = ElementBuffer.allocate(t, n);
                    ElementBuffer x = ElementBuffer.allocate(ElementType.INT, n);
                    for (int i = 0; i < n; i++) {
                        v.set(i, special(r, i));
                        x.setLong(i, specialIndex(r, i));
                    }
                    int root = p / 2;
                    if (form.equals("scan")) {
                        c.scanLoc(v, x, op, CollectiveOptions.DEFAULT);
                    } else if (all) {
                        c.allreduceLoc(v, x, op, CollectiveOptions.DEFAULT);
                    } else {
                        c.reduceLoc(v, x, op, root, CollectiveOptions.DEFAULT);
                    }
                    if (!all && r != root) {
                        continue;
                    }
                    for (int i = 0; i < n; i++) {
                        double[] want = reference(form.equals("scan") ? r + 1 : p, i, op == ReduceOp.MINLOC);
                        double got = v.get(i);
                        boolean same = Double.isNaN(want[0]) ? Double.isNaN(got) : Double.compare(got, want[0]) == 0;
                        if (!same || x.getLong(i) != (long) want[1]) {
                            bad.add(t + " " + op + " " + form + " rank " + r + " [" + i + "] = (" + got
                                    + ", " + x.getLong(i) + "), expected (" + want[0] + ", " + (long) want[1] + ")");
                            break;
                        }
                    }
                }
            }
        }
        return bad;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 5, 8, 9})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void specialValuesInJvm(int p) {
        Communicators.runLocal(p, CFG, ReduceLocTest::specials).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void specialValuesOverTcp() {
        TcpGroup.run(3, CFG, ReduceLocTest::specials).forEach(b -> assertThat(b).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reduceLocChecksItsArguments() {
        List<String> m = Communicators.runLocal(2, CFG, c -> Refusals.messages(List.<Runnable>of(
                () -> c.reduceLoc(ElementBuffer.of(new int[2]), ElementBuffer.of(new int[2]), ReduceOp.SUM, 0,
                        CollectiveOptions.DEFAULT),
                () -> c.reduceLoc(ElementBuffer.of(new int[2]), ElementBuffer.of(new int[2]), ReduceOp.MINLOC, 2,
                        CollectiveOptions.DEFAULT),
                () -> c.reduceLoc(ElementBuffer.of(new int[2]), ElementBuffer.of(new int[2]), ReduceOp.MINLOC, 0,
                        CollectiveOptions.algorithm(Algorithm.RECURSIVE_DOUBLING))))).get(0);
        assertThat(m.get(0)).contains("reduceLoc takes MINLOC or MAXLOC, got SUM");
        assertThat(m.get(1)).contains("root 2 is out of range");
        assertThat(m.get(2)).contains("reduce has no recursive-doubling algorithm");
    }
}

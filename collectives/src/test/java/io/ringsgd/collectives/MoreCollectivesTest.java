package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.IntegerInputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.LongUnaryOperator;
import java.util.function.Supplier;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gather, scatter, all-to-all, scan, exscan and the v-forms (allgatherv, gatherv, scatterv, alltoallv,
 * reduceScatterv): every algorithm, blocking and non-blocking, in place where they have it, on every element type,
 * on the in-JVM and TCP transports, against serial references; mismatched v-form counts and a stalled peer fail every
 * rank, never hang.
 */
class MoreCollectivesTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(16 << 10).build();
    static final ElementType[] TYPES = ElementType.values();

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 9})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        check(Communicators.runLocal(p, CFG, c -> everything(c, new int[] {0, 1, 7, 1009})));
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 5})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overTcp(int p) {
        check(TcpGroup.run(p, CFG, c -> everything(c, new int[] {0, 1, 7, 20_011})));
    }

    /** The v-forms alone over TCP up to 8 ranks (counts with zeros, gaps, in place at the root). */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {4, 8})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void vFormsOverTcpUpToEightRanks(int p) {
        check(TcpGroup.run(p, CFG, c -> {
            List<String> bad = new ArrayList<>();
            for (ElementType t : new ElementType[] {ElementType.FLOAT, ElementType.LONG, ElementType.BYTE}) {
                for (int n : new int[] {0, 7, 4001}) {
                    boolean nb = n % 2 == 0;
                    vforms(c, bad, t, n, n % 2 == 1, nb, t + " n=" + n + " rank " + c.rank());
                }
            }
            return bad;
        }));
    }

    private static void check(List<List<String>> failures) {
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    /** Runs the blocking form, or the non-blocking one and waits for it. */
    static void go(boolean nonBlocking, Runnable blocking, Supplier<Request> start) {
        if (nonBlocking) {
            Request r = start.get();
            r.await();
        } else {
            blocking.run();
        }
    }

    static ElementBuffer input(ElementType t, int rank, int first, int n, boolean direct) {
        return IntegerInputs.input(t, rank, first, n, direct);
    }

    static ElementBuffer filled(ElementType t, int n, boolean direct, long v) {
        return IntegerInputs.buffer(t, n, direct, i -> v);
    }

    static List<String> everything(Communicator c, int[] counts) {
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        for (ElementType t : TYPES) {
            for (int n : counts) {
                boolean direct = n % 2 == 1;
                boolean nb = (n + t.ordinal()) % 2 == 0;
                String tag = t + " n=" + n + (nb ? " non-blocking" : "") + " rank " + r;
                for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.LINEAR, Algorithm.AUTO}) {
                    CollectiveOptions o = CollectiveOptions.algorithm(a);
                    int root = (n + a.ordinal()) % p;
                    boolean inPlace = a == Algorithm.LINEAR;
                    // gather
                    ElementBuffer recv = r == root ? filled(t, n * p, !direct, 0) : null;
                    ElementBuffer send = input(t, r, 0, n, direct);
                    if (r == root && inPlace) {
                        send.copyTo(0, recv, root * n, n);
                        send = null;
                    }
                    ElementBuffer s0 = send;
                    go(nb, () -> c.gather(s0, recv, root, o), () -> c.igather(s0, recv, root, o));
                    if (recv != null) {
                        compare(bad, "gather " + a + " " + tag, recv, i -> IntegerInputs.value(t,
                                (int) (i / n), i % n));
                    }
                    // scatter
                    ElementBuffer all = r == root ? input(t, root, 0, n * p, direct) : null;
                    ElementBuffer mine = r == root && inPlace ? null : filled(t, n, !direct, 0);
                    go(nb, () -> c.scatter(all, mine, root, o), () -> c.iscatter(all, mine, root, o));
                    if (mine != null) {
                        compare(bad, "scatter " + a + " " + tag, mine, i -> IntegerInputs.value(t, root,
                                (long) r * n + i));
                    }
                }
                for (Algorithm a : new Algorithm[] {Algorithm.PAIRWISE, Algorithm.BRUCK, Algorithm.AUTO}) {
                    CollectiveOptions o = CollectiveOptions.algorithm(a);
                    ElementBuffer send = input(t, r, 0, n * p, direct);
                    ElementBuffer recv = filled(t, n * p, !direct, 0);
                    go(nb, () -> c.alltoall(send, recv, o), () -> c.ialltoall(send, recv, o));
                    compare(bad, "alltoall " + a + " " + tag, recv,
                            i -> IntegerInputs.value(t, (int) (i / n), (long) r * n + i % n));
                    ElementBuffer both = input(t, r, 0, n * p, !direct);
                    go(nb, () -> c.alltoall(null, both, o), () -> c.ialltoall(null, both, o));
                    compare(bad, "alltoall in place " + a + " " + tag, both,
                            i -> IntegerInputs.value(t, (int) (i / n), (long) r * n + i % n));
                }
                for (ReduceOp op : t.isInteger() ? IntegerInputs.OPS
                        : new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX}) {
                    CollectiveOptions o = CollectiveOptions.DEFAULT;
                    ElementBuffer data = input(t, r, 0, n, direct);
                    go(nb, () -> c.scan(null, data, op, o), () -> c.iscan(null, data, op, o));
                    compare(bad, "scan in place " + op + " " + tag, data,
                            i -> IntegerInputs.expected(t, op, 0, r, i));
                    ElementBuffer ex = filled(t, n, !direct, 3);
                    ElementBuffer in = input(t, r, 0, n, direct);
                    go(nb, () -> c.exscan(in, ex, op, o), () -> c.iexscan(in, ex, op, o));
                    compare(bad, "exscan " + op + " " + tag, ex,
                            i -> r == 0 ? 3 : IntegerInputs.expected(t, op, 0, r - 1, i));
                }
                vforms(c, bad, t, n, direct, nb, tag);
            }
        }
        c.barrier();
        return bad;
    }

    static void vforms(Communicator c, List<String> bad, ElementType t, int n, boolean direct, boolean nb,
            String tag) {
        int p = c.size();
        int r = c.rank();
        CollectiveOptions o = CollectiveOptions.DEFAULT;
        int[] counts = new int[p];
        int[] displs = new int[p];
        int[] packed = new int[p];
        int total = 0;
        int gapped = 0;
        for (int q = 0; q < p; q++) {
            counts[q] = (n + 3 * q) % 7;
            packed[q] = total;
            displs[q] = gapped + 1;
            total += counts[q];
            gapped += counts[q] + 1;
        }
        int tot = total;
        // allgatherv, with a gap before every block (left untouched)
        ElementBuffer mine = input(t, r, 0, counts[r], direct);
        ElementBuffer gathered = filled(t, gapped, !direct, 5);
        go(nb, () -> c.allgatherv(mine, gathered, counts, displs, o),
                () -> c.iallgatherv(mine, gathered, counts, displs, o));
        compare(bad, "allgatherv " + tag, gathered, i -> {
            for (int q = 0; q < p; q++) {
                if (i >= displs[q] && i < displs[q] + counts[q]) {
                    return IntegerInputs.value(t, q, i - displs[q]);
                }
            }
            return 5;
        });
        // gatherv and scatterv, packed, root p-1, in place at the root
        int root = p - 1;
        ElementBuffer atRoot = r == root ? filled(t, tot, direct, 0) : null;
        ElementBuffer part = r == root ? null : input(t, r, 0, counts[r], !direct);
        if (r == root) {
            input(t, r, 0, counts[r], direct).copyTo(0, atRoot, packed[r], counts[r]);
        }
        go(nb, () -> c.gatherv(part, atRoot, counts, null, root, o),
                () -> c.igatherv(part, atRoot, counts, null, root, o));
        if (atRoot != null) {
            compare(bad, "gatherv " + tag, atRoot, i -> {
                int q = owner(packed, counts, i);
                return IntegerInputs.value(t, q, i - packed[q]);
            });
        }
        ElementBuffer source = r == root ? input(t, root, 0, tot, direct) : null;
        ElementBuffer piece = filled(t, counts[r], !direct, 0);
        go(nb, () -> c.scatterv(source, counts, null, piece, root, o),
                () -> c.iscatterv(source, counts, null, piece, root, o));
        compare(bad, "scatterv " + tag, piece, i -> IntegerInputs.value(t, root, packed[r] + i));
        // alltoallv: rank r sends (r + 2q + n) % 5 elements to rank q
        int[] sc = new int[p];
        int[] rc = new int[p];
        int sTotal = 0;
        int rTotal = 0;
        for (int q = 0; q < p; q++) {
            sc[q] = (r + 2 * q + n) % 5;
            rc[q] = (q + 2 * r + n) % 5;
            sTotal += sc[q];
            rTotal += rc[q];
        }
        int[] sd = prefix(sc);
        int[] rd = prefix(rc);
        ElementBuffer out = IntegerInputs.buffer(t, sTotal, direct,
                i -> IntegerInputs.value(t, r, 1000L * owner(sd, sc, i) + i - sd[owner(sd, sc, i)]));
        ElementBuffer in = filled(t, rTotal, !direct, 0);
        go(nb, () -> c.alltoallv(out, sc, null, in, rc, null, o),
                () -> c.ialltoallv(out, sc, null, in, rc, null, o));
        compare(bad, "alltoallv " + tag, in, i -> {
            int q = owner(rd, rc, i);
            return IntegerInputs.value(t, q, 1000L * r + i - rd[q]);
        });
        // reduceScatterv
        ReduceOp op = t.isInteger() ? ReduceOp.BXOR : ReduceOp.SUM;
        ElementBuffer contrib = input(t, r, 0, tot, direct);
        ElementBuffer block = filled(t, counts[r], !direct, 0);
        go(nb, () -> c.reduceScatterv(contrib, block, counts, op, o),
                () -> c.ireduceScatterv(contrib, block, counts, op, o));
        compare(bad, "reduceScatterv " + tag, block, i -> IntegerInputs.expected(t, op, 0, p - 1, packed[r] + i));
    }

    static int[] prefix(int[] counts) {
        int[] d = new int[counts.length];
        for (int q = 1; q < counts.length; q++) {
            d[q] = d[q - 1] + counts[q - 1];
        }
        return d;
    }

    /** The rank whose packed block holds element {@code i}. */
    static int owner(int[] displs, int[] counts, long i) {
        for (int q = 0; q < counts.length; q++) {
            if (i >= displs[q] && i < displs[q] + counts[q]) {
                return q;
            }
        }
        throw new IllegalArgumentException("element " + i + " is in no block");
    }

    static void compare(List<String> bad, String what, ElementBuffer got, LongUnaryOperator want) {
        for (int i = 0; i < got.count(); i++) {
            long e = want.applyAsLong(i);
            if (got.getLong(i) != e) {
                bad.add(what + ": element " + i + " is " + got.getLong(i) + ", expected " + e);
                return;
            }
        }
    }

    static List<Object> run(String transport, int p, CommunicatorConfig cfg, Function<Communicator, Object> body) {
        return transport.equals("tcp") ? TcpGroup.runCatching(p, cfg, body) : LocalRun.runCatching(p, cfg, body);
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void vFormCountsThatDisagreeFailEveryRank(String transport) {
        List<Object> out = run(transport, 3, CFG, c -> {
            int[] counts = {2, 3, 4};
            if (c.rank() == 2) {
                // The same total, so only the counts themselves (a hash of them travels in every header) can tell.
                counts[0] = 1;
                counts[1] = 4;
            }
            float[] recv = new float[9];
            c.allgatherv(ElementBuffer.of(new float[counts[c.rank()]]), ElementBuffer.of(recv), counts, null,
                    CollectiveOptions.DEFAULT);
            // Every rank fails at the allgatherv itself; the barrier is never reached.
            c.barrier();
            return "completed";
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
        }
        assertThat(out).anySatisfy(o -> assertThat((Throwable) o).hasMessageContaining("the per-rank counts differ"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aStalledPeerIsNamedByEverySurvivorOfAnAlltoall(String transport) {
        int p = 4;
        int stalled = 1;
        CommunicatorConfig fast = CommunicatorConfig.builder().timeout(Duration.ofMillis(2000)).build();
        CountDownLatch done = new CountDownLatch(p - 1);
        List<Object> out = run(transport, p, fast, c -> {
            if (c.rank() == stalled) {
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return "stalled";
            }
            try {
                c.alltoall(ElementBuffer.of(new int[4 * p]), ElementBuffer.of(new int[4 * p]),
                        CollectiveOptions.DEFAULT);
                return "completed";
            } catch (RuntimeException e) {
                return e;
            } finally {
                done.countDown();
            }
        });
        for (int r = 0; r < p; r++) {
            if (r != stalled) {
                assertThat(out.get(r)).as("rank %d", r).isInstanceOf(PeerFailureException.class);
                assertThat(((PeerFailureException) out.get(r)).rank()).isEqualTo(stalled);
            }
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 5})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void nonBlockingFormsOfTheOlderCollectivesQueueInIssueOrder(int p) {
        check(Communicators.runLocal(p, CFG, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            int n = 1003;
            ElementType t = ElementType.LONG;
            ElementBuffer send = input(t, r, 0, n, false);
            ElementBuffer reduced = r == 0 ? filled(t, n, true, 0) : null;
            ElementBuffer all = filled(t, n * p, false, 0);
            ElementBuffer blocks = input(t, r, 0, n * p, true);
            ElementBuffer mine = filled(t, n, false, 0);
            List<Request> reqs = new ArrayList<>();
            reqs.add(c.ireduce(send, reduced, ReduceOp.MAX, 0, CollectiveOptions.DEFAULT));
            reqs.add(c.iallgather(send, all, CollectiveOptions.DEFAULT));
            reqs.add(c.ireduceScatter(blocks, mine, ReduceOp.SUM, CollectiveOptions.DEFAULT));
            reqs.add(c.ibarrier());
            for (Request q : reqs) {
                q.await();
            }
            if (reduced != null) {
                compare(bad, "ireduce", reduced, i -> IntegerInputs.expected(t, ReduceOp.MAX, 0, p - 1, i));
            }
            compare(bad, "iallgather", all, i -> IntegerInputs.value(t, (int) (i / n), i % n));
            compare(bad, "ireduceScatter", mine,
                    i -> IntegerInputs.expected(t, ReduceOp.SUM, 0, p - 1, (long) r * n + i));
            return bad;
        }));
    }

    @org.junit.jupiter.api.Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badArgumentsAreOneLineNamingTheArgument() {
        List<List<String>> out = Communicators.runLocal(2, CFG, c -> {
            List<String> m = new ArrayList<>();
            CollectiveOptions o = CollectiveOptions.DEFAULT;
            ElementBuffer four = ElementBuffer.of(new int[4]);
            ElementBuffer three = ElementBuffer.of(new int[3]);
            List<Runnable> calls = List.of(
                    () -> c.gather(four, c.rank() == 0 ? three : null, 0, o),
                    () -> c.scatter(c.rank() == 0 ? three : null, four, 0, o),
                    () -> c.alltoall(four, ElementBuffer.of(new float[4]), o),
                    () -> c.alltoall(four, four, o),
                    () -> c.allgatherv(three, ElementBuffer.of(new int[9]), new int[] {3}, null, o),
                    () -> c.allgatherv(three, ElementBuffer.of(new int[9]), new int[] {3, -1}, null, o),
                    () -> c.allgatherv(three, ElementBuffer.of(new int[5]), new int[] {3, 3}, null, o),
                    () -> c.alltoallv(four, new int[] {2, 2}, null, three, new int[] {1, 1}, null, o),
                    () -> c.scan(null, ElementBuffer.of(new float[2]), ReduceOp.AVG, o),
                    () -> c.reduceScatterv(four, ElementBuffer.of(new int[2]), new int[] {2, 1}, ReduceOp.SUM, o),
                    () -> c.gather(four, ElementBuffer.of(new int[8]), 2, o));
            // Only rank 0 calls: every call must fail there before anything is sent, so rank 1 just waits.
            for (Runnable call : c.rank() == 0 ? calls : List.<Runnable>of()) {
                try {
                    call.run();
                    m.add("no exception");
                } catch (IllegalArgumentException e) {
                    m.add(e.getMessage());
                }
            }
            c.barrier();
            return m;
        });
        List<String> m = out.get(0);
        assertThat(m).allSatisfy(s -> assertThat(s).doesNotContain("\n").isNotEqualTo("no exception"));
        assertThat(m.get(0)).contains("recv has 3 elements");
        assertThat(m.get(1)).contains("send has 3 elements");
        assertThat(m.get(2)).contains("send holds ints but recv holds floats");
        assertThat(m.get(3)).contains("send and recv overlap");
        assertThat(m.get(4)).contains("recvCounts has 1 entries for a group of 2 ranks");
        assertThat(m.get(5)).contains("recvCounts[1] is -1");
        assertThat(m.get(6)).contains("outside a buffer of 5 elements");
        assertThat(m.get(7)).contains("sendCounts");
        assertThat(m.get(8)).contains("AVG");
        assertThat(m.get(9)).contains("send has 4 elements but the recvCounts add up to 3");
        assertThat(m.get(10)).contains("root 2 is out of range");
    }
}

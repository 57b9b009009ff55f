package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ranks that disagree on their very first collective (a different collective, or the same one with a different
 * forced algorithm) are told {@link CollectiveMismatchException} on every rank where their first messages meet, not
 * a stall after the timeout. The failure timeout is far longer than the test's own, so a stall fails the test.
 */
class FirstCallMismatchTest {
    static final CommunicatorConfig LONG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(600)).build();
    /** The rank that calls something else. */
    static final int ODD = 2;

    /**
     * What the odd rank calls, and what every other rank calls. With {@code everyone}, no rank can legitimately
     * finish (each needs data from every rank) and every rank must be told; otherwise a rank whose part of a rooted
     * collective never touches the disagreement may finish (MPI semantics: a non-root rank of a reduce returns once its
     * data is sent; a rank that received the right root's broadcast holds the right data), and the others are told.
     */
    record Scenario(String name, Consumer<Communicator> odd, Consumer<Communicator> others, boolean everyone) {
        Scenario(String name, Consumer<Communicator> odd, Consumer<Communicator> others) {
            this(name, odd, others, true);
        }
    }

    static List<Scenario> scenarios() {
        List<Scenario> all = new ArrayList<>();
        all.add(new Scenario("broadcast vs allreduce", c -> c.broadcast(new float[37], 0),
                c -> c.allreduce(new float[37], ReduceOp.SUM)));
        Algorithm[] algorithms = {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING, Algorithm.RABENSEIFNER,
            Algorithm.TREE};
        for (Algorithm mine : algorithms) {
            for (Algorithm theirs : algorithms) {
                if (mine != theirs) {
                    all.add(new Scenario(mine.cliName() + " vs " + theirs.cliName(), allreduce(mine),
                            allreduce(theirs)));
                }
            }
        }
        all.add(new Scenario("barrier vs allreduce", Communicator::barrier,
                c -> c.allreduce(new float[37], ReduceOp.SUM)));
        all.add(new Scenario("reduce vs allgather", c -> c.reduce(new float[4], new float[4], ReduceOp.SUM, 0),
                c -> c.allgather(new float[4], new float[4 * c.size()]), false));
        all.add(new Scenario("broadcast from another root", c -> rootedBroadcast(c, 1),
                c -> rootedBroadcast(c, 0), false));
        return all;
    }

    /** A broadcast of {@code root + 1}s from {@code root}; a rank that completes must hold them. */
    private static void rootedBroadcast(Communicator c, int root) {
        float[] d = new float[37];
        if (c.rank() == root) {
            java.util.Arrays.fill(d, root + 1);
        }
        c.broadcast(d, root);
        for (float x : d) {
            if (x != root + 1) {
                throw new IllegalStateException("rank " + c.rank() + " completed with wrong data");
            }
        }
    }

    private static Consumer<Communicator> allreduce(Algorithm a) {
        return c -> c.allreduce(new float[4099], 0, 4099, ReduceOp.SUM, CollectiveOptions.algorithm(a));
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4, 5, 6, 7, 8, 9})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void inJvm(int p) {
        for (Scenario s : scenarios()) {
            check(s, p, LocalRun.runCatching(p, LONG, body(s)));
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4, 5, 8})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void overTcp(int p) {
        for (Scenario s : scenarios()) {
            check(s, p, TcpGroup.runCatching(p, LONG, body(s)));
        }
    }

    /**
     * Ranks that only receive from each other send nothing that could meet: ranks 0 and 1 reduce to rank 0 (rank 0
     * waits for rank 2's contribution), rank 2 takes a broadcast from rank 0 (it waits for rank 0's data). On TCP (and
     * MPJ Express) the stall reports exchanged after the timeout carry each rank's collective, and the verdict is a
     * mismatch, not a dead peer.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void receiveOnlyDeadlockOverTcpIsAMismatchAfterTheTimeout() {
        CommunicatorConfig shortTimeout = CommunicatorConfig.builder().timeout(Duration.ofSeconds(2)).build();
        Scenario s = new Scenario("broadcast vs reduce", c -> c.broadcast(new float[8], 0),
                c -> c.reduce(new float[8], new float[8], ReduceOp.SUM, 0), false);
        List<Object> out = TcpGroup.runCatching(3, shortTimeout, body(s));
        check(s, 3, out);
        assertThat(out.get(0)).isInstanceOf(CollectiveMismatchException.class);
        assertThat(((Throwable) out.get(0)).getMessage()).contains("reduce").contains("broadcast");
    }

    private static Function<Communicator, Object> body(Scenario s) {
        return c -> {
            try {
                (c.rank() == ODD ? s.odd() : s.others()).accept(c);
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        };
    }

    private static void check(Scenario s, int p, List<Object> out) {
        assertThat(out.get(ODD)).as("%s, P=%d, rank %d", s.name(), p, ODD)
                .isInstanceOfAny(CollectiveMismatchException.class, String.class);
        int told = 0;
        for (int r = 0; r < p; r++) {
            Object o = out.get(r);
            if (s.everyone() || !"completed".equals(o)) {
                assertThat(o).as("%s, P=%d, rank %d", s.name(), p, r).isInstanceOf(CollectiveMismatchException.class);
            }
            told += o instanceof CollectiveMismatchException ? 1 : 0;
        }
        assertThat(told).as("%s, P=%d: ranks told", s.name(), p).isPositive();
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A communicator takes its collectives from one thread at a time (as MPI_THREAD_SERIALIZED). Two threads that call
 * collectives on one communicator at once are refused, and the whole group fails on every rank, instead of the ranks
 * pairing up different threads' calls and returning wrong sums; threads that take turns must do so at the same
 * collective on every rank (checked on the wire).
 */
class ConcurrentCallersTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();

    /**
     * Issue 12 item 1: 2 ranks × 2 threads × 300 blocking allreduces of one float with different values. Before the
     * fix most sums were wrong and nobody was told. Now the misuse is reported on every thread of every rank.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoThreadsCallingOneCommunicatorAreToldOnEveryRank() throws InterruptedException {
        int p = 2;
        int threads = 2;
        int calls = 300;
        List<Communicator> comms = Communicators.local(p, CFG);
        CountDownLatch start = new CountDownLatch(1);
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger right = new AtomicInteger();
        ConcurrentLinkedQueue<String> unreported = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Throwable> errors = new ConcurrentLinkedQueue<>();
        List<Thread> all = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            Communicator c = comms.get(r);
            for (int t = 0; t < threads; t++) {
                int rank = r;
                int thread = t;
                Thread th = new Thread(() -> {
                    try {
                        start.await();
                        for (int k = 0; k < calls; k++) {
                            float[] v = {value(rank, thread, k)};
                            c.allreduce(v, ReduceOp.SUM);
                            float want = 0;
                            for (int q = 0; q < p; q++) {
                                want += value(q, thread, k);
                            }
                            (v[0] == want ? right : wrong).incrementAndGet();
                        }
                        unreported.add("rank " + rank + " thread " + thread);
                    } catch (IllegalStateException | CollectiveException e) {
                        errors.add(e);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }, "caller-r" + r + "-t" + t);
                th.start();
                all.add(th);
            }
        }
        start.countDown();
        for (Thread th : all) {
            th.join();
        }
        comms.forEach(Communicator::close);
        assertThat(unreported).as("threads that made all %d calls without being told (%d sums right, %d wrong)",
                calls, right.get(), wrong.get()).isEmpty();
        assertThat(errors).hasSize(p * threads);
        // Told either at the call that overlapped another thread's (and then by the communicator's failure), or by
        // a mismatch: the ranks' threads took turns at different collectives.
        assertThat(errors).allSatisfy(e -> assertThat(e.getMessage()).containsAnyOf("at the same time",
                "changed the thread"));
    }

    /**
     * Deterministic overlap: a thread of rank 0 has an iallreduce in flight (it cannot complete before rank 1 calls)
     * when another thread calls. That call fails at once with IllegalStateException naming both threads; the request
     * in flight and rank 1's call fail with the communicator's failure; nothing completes.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aCallWhileAnotherThreadsCollectiveIsInFlightFailsAtOnceEverywhere() throws Exception {
        List<Communicator> comms = Communicators.local(2, CFG);
        Communicator r0 = comms.get(0);
        Communicator r1 = comms.get(1);
        Request[] inFlight = new Request[1];
        Thread first = new Thread(() -> inFlight[0] = r0.iallreduce(new float[] {1}, ReduceOp.SUM), "first");
        first.start();
        first.join();
        Object second = call(r0);
        assertThat(second).isInstanceOf(IllegalStateException.class);
        assertThat(((Throwable) second).getMessage()).contains("rank 0").contains("'first'")
                .contains("'" + Thread.currentThread().getName() + "'").contains("at the same time");
        Object rank1 = call(r1);
        assertThat(rank1).isInstanceOf(CollectiveException.class);
        assertThat(((Throwable) rank1).getMessage()).contains("rank 0").contains("at the same time");
        assertThat(catching(() -> inFlight[0].await(Duration.ofSeconds(30)))).isInstanceOf(CollectiveException.class);
        comms.forEach(Communicator::close);
    }

    /** Calls from several threads one after the other (the program orders them) are fine. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void threadsTakingTurnsInTheSameOrderOnEveryRankAreFine() {
        List<float[]> sums = Communicators.runLocal(2, CFG, c -> {
            float[] out = new float[3];
            for (int k = 0; k < 3; k++) {
                float[] v = {c.rank() + k};
                Thread t = new Thread(() -> c.allreduce(v, ReduceOp.SUM), "turn-" + k);
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
                out[k] = v[0];
            }
            return out;
        });
        assertThat(sums).containsOnly(new float[] {1, 3, 5});
    }

    /**
     * Rank 0 hands its communicator to another thread after the first collective, rank 1 does not: the ranks cannot
     * know which threads' calls belong together, so the second collective fails on both with a mismatch.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void threadsTakingTurnsAtDifferentCollectivesAreAMismatch() {
        List<Object> out = LocalRun.runCatching(2, CFG, c -> {
            c.allreduce(new float[] {1}, ReduceOp.SUM);
            Object[] second = new Object[1];
            Runnable call = () -> second[0] = call(c);
            if (c.rank() == 0) {
                Thread t = new Thread(call, "other");
                t.start();
                try {
                    t.join();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            } else {
                call.run();
            }
            return second[0];
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
            assertThat(((Throwable) o).getMessage()).contains("changed the thread");
        }
    }

    private static Object call(Communicator c) {
        return catching(() -> c.allreduce(new float[] {1}, ReduceOp.SUM));
    }

    private static Object catching(Runnable r) {
        try {
            r.run();
            return "completed";
        } catch (RuntimeException e) {
            return e;
        }
    }

    private static float value(int rank, int thread, int k) {
        return 1000 * thread + 10 * k + rank;
    }
}

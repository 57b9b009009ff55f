package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stalled peer makes every survivor fail naming it; ranks that disagree on count, op, element type or root make
 * every rank fail with a mismatch naming the disagreement; nothing hangs. On both transports.
 */
class FailureTest {
    static final CommunicatorConfig FAST = CommunicatorConfig.builder().timeout(Duration.ofMillis(2000)).build();

    static List<Object> run(String transport, int n, Function<Communicator, Object> body) {
        if (transport.equals("tcp")) {
            return TcpGroup.runCatching(n, FAST, body);
        }
        return LocalRun.runCatching(n, FAST, body);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource({"local,RING", "tcp,RING", "local,BCUBE", "tcp,BCUBE"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void stalledRankIsNamedByEverySurvivor(String transport, Algorithm algorithm) {
        int p = 4;
        int stalled = 2;
        CountDownLatch survivorsDone = new CountDownLatch(p - 1);
        List<Object> out = run(transport, p, c -> {
            if (c.rank() == stalled) {
                await(survivorsDone);
                return "stalled";
            }
            try {
                float[] a = new float[100_000];
                c.allreduce(a, 0, a.length, ReduceOp.SUM, CollectiveOptions.algorithm(algorithm));
                return "completed";
            } catch (RuntimeException e) {
                return e;
            } finally {
                survivorsDone.countDown();
            }
        });
        for (int r = 0; r < p; r++) {
            if (r == stalled) {
                continue;
            }
            assertThat(out.get(r)).as("rank %d", r).isInstanceOf(PeerFailureException.class);
            PeerFailureException e = (PeerFailureException) out.get(r);
            assertThat(e.rank()).as("rank %d blames", r).isEqualTo(stalled);
            assertThat(e.getMessage()).contains("rank " + stalled);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void countMismatchFailsEveryRank(String transport) {
        List<Object> out = run(transport, 4, c -> {
            int n = c.rank() == 3 ? 2048 : 1024;
            try {
                c.allreduce(new float[n], ReduceOp.SUM);
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
            assertThat(((Exception) o).getMessage()).contains("count differs").contains("2048").contains("1024");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void opAndTypeMismatchFailEveryRank(String transport) {
        List<Object> ops = run(transport, 3, c -> {
            try {
                c.allreduce(new float[10], c.rank() == 1 ? ReduceOp.MAX : ReduceOp.SUM);
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        });
        for (Object o : ops) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
            assertThat(((Exception) o).getMessage()).contains("op differs").contains("MAX").contains("SUM");
        }
        List<Object> types = run(transport, 3, c -> {
            try {
                if (c.rank() == 0) {
                    c.allreduce(new double[10], ReduceOp.SUM);
                } else {
                    c.allreduce(new float[10], ReduceOp.SUM);
                }
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        });
        for (Object o : types) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
            assertThat(((Exception) o).getMessage()).contains("element type differs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void collectivesCalledInDifferentOrderFailEveryRank(String transport) {
        List<Object> order = run(transport, 2, c -> {
            try {
                if (c.rank() == 0) {
                    c.allreduce(new float[4], ReduceOp.SUM);
                } else {
                    c.broadcast(new float[4], 0);
                }
                return "completed";
            } catch (RuntimeException e) {
                return e;
            }
        });
        for (Object o : order) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void communicatorStaysFailedAfterAFailure(String transport) {
        List<Object> out = run(transport, 2, c -> {
            try {
                c.allreduce(new float[c.rank() + 1], ReduceOp.SUM);
                return "completed";
            } catch (CollectiveMismatchException first) {
                try {
                    c.allreduce(new float[1], ReduceOp.SUM);
                    return "second call succeeded";
                } catch (CollectiveException again) {
                    return again;
                }
            }
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
        }
    }

    static void await(CountDownLatch l) {
        try {
            l.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

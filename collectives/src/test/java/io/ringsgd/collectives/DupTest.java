package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code comm.dup()}: the original and its duplicate run collectives at the same time from two threads of every rank
 * (different collectives, different sizes) and both get exact results; a duplicate of the duplicate works; closing a
 * duplicate leaves the original usable. In-JVM and TCP.
 */
class DupTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    static List<Object> run(String transport, int p, Function<Communicator, Object> body) {
        return transport.equals("tcp") ? TcpGroup.runCatching(p, CFG, body) : LocalRun.runCatching(p, CFG, body);
    }

    @ParameterizedTest
    @CsvSource({"local,1", "local,2", "local,3", "local,5", "tcp,2", "tcp,4"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void theOriginalAndItsDuplicateRunConcurrentlyFromTwoThreads(String transport, int p) {
        List<Object> out = run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            Communicator d = c.dup();
            assertThat(d.rank()).isEqualTo(r);
            assertThat(d.size()).isEqualTo(p);
            CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> {
                for (int it = 0; it < 50; it++) {
                    int[] send = new int[3 * p];
                    for (int i = 0; i < send.length; i++) {
                        send[i] = r * 1000 + i + it;
                    }
                    int[] recv = new int[3 * p];
                    d.alltoall(ElementBuffer.of(send), ElementBuffer.of(recv), CollectiveOptions.DEFAULT);
                    for (int q = 0; q < p; q++) {
                        for (int i = 0; i < 3; i++) {
                            if (recv[q * 3 + i] != q * 1000 + r * 3 + i + it) {
                                return "dup alltoall iteration " + it + " rank " + r + " from " + q;
                            }
                        }
                    }
                }
                return "";
            });
            for (int it = 0; it < 50; it++) {
                long[] v = {r + it, 1};
                c.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
                if (v[0] != (long) p * (p - 1) / 2 + (long) p * it || v[1] != p) {
                    bad.add("original allreduce iteration " + it + " rank " + r + ": " + v[0]);
                }
            }
            String e = other.join();
            if (!e.isEmpty()) {
                bad.add(e);
            }
            try (Communicator dd = d.dup()) {
                float[] f = {r};
                dd.allreduce(f, ReduceOp.MAX);
                if (f[0] != p - 1) {
                    bad.add("dup of dup rank " + r);
                }
            }
            d.close();
            double[] x = {1};
            c.allreduce(x, ReduceOp.SUM);
            if (x[0] != p) {
                bad.add("original after closing the dup rank " + r);
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(List.class);
            assertThat((List<?>) o).isEmpty();
        }
    }

    @ParameterizedTest
    @CsvSource({"local,1", "local,2", "local,3", "local,5", "tcp,2", "tcp,4"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void idupRunsInIssueOrderAndHandsOutTheNewCommunicator(String transport, int p) {
        List<Object> out = run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            Communicator.DupRequest pending = c.idup();
            // Collectives issued after the idup run after it, on the original's context.
            long[] v = {r, 1};
            Request sum = c.iallreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
            int[] w = {r};
            c.allreduce(null, ElementBuffer.of(w), ReduceOp.MAX, CollectiveOptions.DEFAULT);
            sum.await();
            assertThat(pending.isDone()).isTrue();
            if (v[0] != (long) p * (p - 1) / 2 || v[1] != p || w[0] != p - 1) {
                bad.add("original after idup rank " + r + ": " + v[0] + ", " + v[1] + ", " + w[0]);
            }
            Communicator d = pending.communicator();
            assertThat(pending.communicator()).isSameAs(d);
            assertThat(d.rank()).isEqualTo(r);
            assertThat(d.size()).isEqualTo(p);
            double[] x = {r + 0.5};
            d.allreduce(x, ReduceOp.SUM);
            if (x[0] != p * (p - 1) / 2.0 + p * 0.5) {
                bad.add("idup's communicator rank " + r + ": " + x[0]);
            }
            d.close();
            Communicator part = c.split(r % 2, r);
            try {
                part.idup();
                bad.add("idup of a split communicator was not refused");
            } catch (UnsupportedOperationException expected) {
                // as dup(): a sub-group has no contexts of its own
            } finally {
                part.close();
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isInstanceOf(List.class);
            assertThat((List<?>) o).isEmpty();
        }
    }
}

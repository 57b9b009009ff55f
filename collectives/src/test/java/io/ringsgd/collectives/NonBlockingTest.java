package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.testing.Inputs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Non-blocking collectives: issue order on every rank, interleaving with blocking calls, waits, polls, futures. */
class NonBlockingTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manyInFlightInterleavedWithBlockingCalls() {
        int p = 4;
        List<String> bad = Communicators.runLocal(p, CFG, c -> {
            StringBuilder errs = new StringBuilder();
            List<float[]> bufs = new ArrayList<>();
            List<Request> reqs = new ArrayList<>();
            for (int k = 0; k < 20; k++) {
                int n = 1 + k * 997;
                float[] v = Inputs.floats(ReduceOp.SUM, c.rank(), n);
                bufs.add(v);
                reqs.add(c.iallreduce(v, ReduceOp.SUM));
                if (k % 5 == 0) {
                    double[] d = Inputs.doubles(ReduceOp.MAX, c.rank(), 33);
                    c.allreduce(d, ReduceOp.MAX);
                    if (Inputs.firstMismatch(d, ReduceOp.MAX, p) >= 0) {
                        errs.append("blocking call between non-blocking ones; ");
                    }
                }
                if (k % 7 == 0) {
                    float[] b = new float[10];
                    if (c.rank() == 1) {
                        java.util.Arrays.fill(b, 7f);
                    }
                    reqs.add(c.ibroadcast(b, 0, 10, 1));
                    bufs.add(b);
                }
            }
            for (Request r : reqs) {
                r.await();
            }
            for (float[] v : bufs) {
                if (v.length == 10 && v[0] == 7f) {
                    continue;
                }
                if (Inputs.firstMismatch(v, ReduceOp.SUM, p) >= 0) {
                    errs.append("iallreduce of ").append(v.length).append("; ");
                }
            }
            return errs.toString();
        });
        bad.forEach(e -> assertThat(e).isEmpty());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void awaitWithTimeoutPollAndFuture() {
        CountDownLatch rank1MayStart = new CountDownLatch(1);
        List<String> out = Communicators.runLocal(2, CFG, c -> {
            float[] v = {c.rank() + 1f};
            if (c.rank() == 1) {
                FailureTest.await(rank1MayStart);
            }
            Request r = c.iallreduce(v, ReduceOp.SUM);
            StringBuilder sb = new StringBuilder();
            if (c.rank() == 0) {
                // Rank 1 has not joined yet: the request cannot be done.
                sb.append(r.await(Duration.ofMillis(50))).append(',').append(r.isDone()).append(',');
                CompletableFuture<Void> f = r.toCompletableFuture();
                rank1MayStart.countDown();
                f.join();
                sb.append(r.isDone()).append(',');
            }
            sb.append(r.await(Duration.ofSeconds(10))).append(',').append(v[0]);
            return sb.toString();
        });
        assertThat(out.get(0)).isEqualTo("false,false,true,true,3.0");
        assertThat(out.get(1)).isEqualTo("true,3.0");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void failureReachesTheRequestAndItsFuture() {
        CommunicatorConfig fast = CommunicatorConfig.builder().timeout(Duration.ofMillis(500)).build();
        List<Object> out = LocalRun.runCatching(2, fast, c -> {
            if (c.rank() == 1) {
                return "absent";
            }
            Request r = c.iallreduce(new float[8], ReduceOp.SUM);
            CompletableFuture<Void> f = r.toCompletableFuture();
            assertThatThrownBy(r::await).isInstanceOf(PeerFailureException.class);
            assertThat(f).isCompletedExceptionally();
            return "ok";
        });
        assertThat(out.get(0)).isEqualTo("ok");
    }
}

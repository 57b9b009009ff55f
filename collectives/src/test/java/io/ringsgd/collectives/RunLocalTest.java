package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Communicators#runLocal}: a rank whose own code throws takes the others down with its reason attached. */
class RunLocalTest {

    /** Issue 12 item 18: the survivors' PeerFailureException carries the failing rank's exception as its cause. */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void survivorsGetTheFailingRanksExceptionAsCause() {
        ConcurrentHashMap<Integer, Throwable> seen = new ConcurrentHashMap<>();
        IllegalStateException boom = new IllegalStateException("boom: the model diverged");
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();
        CountDownLatch othersCalling = new CountDownLatch(3);
        assertThatThrownBy(() -> Communicators.runLocal(4, cfg, c -> {
            if (c.rank() == 2) {
                await(othersCalling);
                throw boom;
            }
            try {
                othersCalling.countDown();
                c.allreduce(new float[1000], ReduceOp.SUM);
                return "completed";
            } catch (RuntimeException e) {
                seen.put(c.rank(), e);
                throw e;
            }
        })).isSameAs(boom);
        assertThat(seen).containsOnlyKeys(0, 1, 3);
        seen.values().forEach(e -> {
            assertThat(e).isInstanceOf(PeerFailureException.class).hasMessageContaining("rank 2")
                    .hasRootCauseMessage("boom: the model diverged");
            assertThat(((PeerFailureException) e).rank()).isEqualTo(2);
        });
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

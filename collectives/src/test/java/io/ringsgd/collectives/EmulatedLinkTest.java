package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.emulation.EmulatedTransport;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.collectives.local.LocalGroup;
import io.ringsgd.collectives.local.LocalTransport;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The emulated link delays messages by latency + size / bandwidth, queuing a rank's messages behind each other. */
class EmulatedLinkTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void stampsFollowLatencyBandwidthAndQueueing() {
        AtomicLong clock = new AtomicLong(1_000_000);
        LinkModel link = new LinkModel(Duration.ofNanos(200_000), 1e9); // 1 GB/s: 1 byte per ns
        List<LocalTransport> group = LocalGroup.create(2, Duration.ofSeconds(5));
        EmulatedTransport a = new EmulatedTransport(group.get(0), link, clock::get);
        EmulatedTransport b = new EmulatedTransport(group.get(1), link, clock::get);
        Header h = new Header();
        float[] data = new float[250_000]; // 1 MB
        Message s1 = new Message().send(1, h, ElementBuffer.of(data), 0, data.length);
        Message s2 = new Message().send(1, h, ElementBuffer.of(data), 0, 1000); // 4 KB, queued behind s1
        Message r1 = new Message().recv(0, h, ElementBuffer.of(new float[data.length]), 0, data.length);
        Message r2 = new Message().recv(0, h, ElementBuffer.of(new float[1000]), 0, 1000);
        b.post(r1);
        b.post(r2);
        a.post(s1);
        a.post(s2);
        assertThat(s1.notBeforeNanos()).isEqualTo(1_000_000 + 1_000_000 + 200_000);
        assertThat(s2.notBeforeNanos()).isEqualTo(1_000_000 + 1_000_000 + 4_000 + 200_000);
        assertThat(r1.notBeforeNanos()).isEqualTo(s1.notBeforeNanos());
        assertThat(b.test(r1)).as("not delivered before its time").isFalse();
        clock.set(s1.notBeforeNanos());
        assertThat(b.test(r1)).isTrue();
        assertThat(b.test(r2)).isFalse();
        clock.set(s2.notBeforeNanos());
        assertThat(b.test(r2)).isTrue();
        // A later message on an idle link starts at once.
        clock.set(10_000_000);
        Message s3 = new Message().send(1, h, ElementBuffer.of(data), 0, 0);
        a.post(s3);
        assertThat(s3.notBeforeNanos()).isEqualTo(10_000_000 + 200_000);
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void anAllreduceOverTheLinkTakesAtLeastWhatTheLinkNeeds() {
        LinkModel link = new LinkModel(Duration.ofMillis(2), 100e6); // 100 MB/s
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(20)).link(link).build();
        int n = 250_000; // 1 MB
        List<Long> nanos = Communicators.runLocal(2, cfg, c -> {
            float[] v = new float[n];
            long t0 = System.nanoTime();
            c.allreduce(v, 0, n, ReduceOp.SUM, CollectiveOptions.algorithm(Algorithm.RING));
            return System.nanoTime() - t0;
        });
        // Ring on 2 ranks: each rank sends half the vector twice (1 MB in all, 10 ms on this link) and the last
        // byte then needs the latency (2 ms). The rank that started first waits at least that long.
        long lowerBound = link.transferNanos(4L * n) + link.latency().toNanos();
        long slowest = nanos.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertThat(slowest).as("elapsed %s ns, lower bound %s ns", slowest, lowerBound)
                .isGreaterThanOrEqualTo(lowerBound);
    }
}

package io.ringsgd.collectives.emulation;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.NativeCollectives;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Wraps any transport with an emulated link ({@link LinkModel}): each send is stamped with the time its last byte
 * would arrive over that link (this rank's outgoing messages queue behind each other at the link's bandwidth, then
 * take its latency), and the matching receive does not complete before that time. The real transport still moves the
 * data, so results are unchanged; only timing is emulated. Stamps use {@link System#nanoTime()}, which all processes
 * of one machine share; the emulation is meant for one machine. Driven by one thread at a time, like every transport.
 */
public final class EmulatedTransport implements Transport {
    /** Below this, waiting spins (yielding) instead of parking, whose wake-up overshoots by tens of microseconds. */
    private static final long SPIN_BELOW_NANOS = 60_000;

    private final Transport inner;
    private final LinkModel link;
    private final LongSupplier clock;
    private long egressFreeAt;

    /** {@code inner} behind {@code link}, timed with {@link System#nanoTime()}. */
    @Override
    public boolean canDup() {
        return inner.canDup();
    }

    /** The inner transport's new context, behind the same emulated link. */
    @Override
    public Transport dup(java.util.function.LongUnaryOperator fromRankZero) {
        return new EmulatedTransport(inner.dup(fromRankZero), link);
    }

    public EmulatedTransport(Transport inner, LinkModel link) {
        this(inner, link, System::nanoTime);
    }

    /** With an injected clock (tests). */
    public EmulatedTransport(Transport inner, LinkModel link, LongSupplier clock) {
        this.inner = inner;
        this.link = link;
        this.clock = clock;
    }

    /** The emulated link. */
    public LinkModel link() {
        return link;
    }

    @Override
    public int rank() {
        return inner.rank();
    }

    @Override
    public int size() {
        return inner.size();
    }

    @Override
    public String name() {
        return inner.name() + "+emulated";
    }

    @Override
    public Duration timeout() {
        return inner.timeout();
    }

    @Override
    public long bytesSent() {
        return inner.bytesSent();
    }

    @Override
    public void post(Message m) {
        if (m.isSend()) {
            long now = clock.getAsLong();
            long start = Math.max(now, egressFreeAt);
            egressFreeAt = start + link.transferNanos(m.byteSize());
            m.notBeforeNanos(egressFreeAt + link.latency().toNanos());
        }
        inner.post(m);
    }

    @Override
    public void await(Message m) {
        inner.await(m);
        if (!m.isSend()) {
            waitUntil(m.notBeforeNanos());
        }
    }

    /**
     * The inner transport's wait, then, of the messages that have completed by then, the one the link delivers first,
     * once the link has delivered it.
     */
    @Override
    public int awaitAny(Message[] ms, int n) {
        int best = inner.awaitAny(ms, n);
        long bestAt = deliveredAt(ms[best]);
        for (int i = 0; i < n; i++) {
            Message m = ms[i];
            if (m != null && i != best && m.isDone() && m.error() == null && deliveredAt(m) < bestAt) {
                best = i;
                bestAt = deliveredAt(m);
            }
        }
        waitUntil(bestAt);
        return best;
    }

    /** When a completed message counts as delivered over the link: sends at once, receives at their stamp. */
    private static long deliveredAt(Message m) {
        return m.isSend() ? Long.MIN_VALUE : m.notBeforeNanos();
    }

    @Override
    public boolean test(Message m) {
        return inner.test(m) && (m.isSend() || clock.getAsLong() >= m.notBeforeNanos());
    }

    private void waitUntil(long deadline) {
        while (deadline != Long.MIN_VALUE) {
            long left = deadline - clock.getAsLong();
            if (left <= 0) {
                return;
            }
            if (left > SPIN_BELOW_NANOS) {
                LockSupport.parkNanos(left - SPIN_BELOW_NANOS);
            } else {
                Thread.yield();
            }
        }
    }

    @Override
    public void abort(CollectiveException cause) {
        inner.abort(cause);
    }

    @Override
    public CollectiveException failure() {
        return inner.failure();
    }

    @Override
    public void spinOnlyWhen(java.util.function.BooleanSupplier urgent) {
        inner.spinOnlyWhen(urgent);
    }

    @Override
    public NativeCollectives nativeCollectives() {
        return inner.nativeCollectives();
    }

    @Override
    public void close() {
        inner.close();
    }
}

package io.ringsgd.collectives.trace;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.NativeCollectives;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Records every message of a transport on a {@link Tracer}: a send or receive span from its post to the moment the
 * algorithm saw it complete (its wait returned, or a test said done), with the peer and the bytes. A receive that
 * reduces records the reduction inside its span, as the transports fuse them. Messages are pooled by the algorithms,
 * so after the first collectives nothing is allocated per message.
 */
public final class TracingTransport implements Transport {
    private final Transport inner;
    private final Tracer tracer;
    private final int send;
    private final int recv;
    /** Per pooled message: its post time, and 1 once its completion has been recorded. */
    private final Map<Message, long[]> posted = new IdentityHashMap<>();

    @Override
    public boolean canDup() {
        return inner.canDup();
    }

    /** The inner transport's new context, recorded on the same timeline. */
    @Override
    public Transport dup(java.util.function.LongUnaryOperator fromRankZero) {
        return new TracingTransport(inner.dup(fromRankZero), tracer);
    }

    public TracingTransport(Transport inner, Tracer tracer) {
        this.inner = inner;
        this.tracer = tracer;
        this.send = tracer.name("send", "peer", "bytes");
        this.recv = tracer.name("recv", "peer", "bytes");
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
        return inner.name();
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
        long[] s;
        synchronized (posted) {
            s = posted.computeIfAbsent(m, k -> new long[2]);
        }
        s[0] = System.nanoTime();
        s[1] = 0;
        inner.post(m);
    }

    @Override
    public void await(Message m) {
        inner.await(m);
        completed(m);
    }

    @Override
    public int awaitAny(Message[] messages, int count) {
        int i = inner.awaitAny(messages, count);
        completed(messages[i]);
        return i;
    }

    @Override
    public boolean test(Message m) {
        boolean done = inner.test(m);
        if (done) {
            completed(m);
        }
        return done;
    }

    private void completed(Message m) {
        long[] s;
        synchronized (posted) {
            s = posted.get(m);
        }
        if (s != null && s[1] == 0) {
            s[1] = 1;
            tracer.span(inner.rank(), m.isSend() ? send : recv, s[0], System.nanoTime(), m.peer(), m.byteSize());
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

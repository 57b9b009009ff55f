package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.CollectiveException;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * A sub-group's view of a transport (what {@code Communicator.split} runs on): rank i of the sub-group is rank
 * {@code members[i]} of the transport underneath, which is a communication context of its own, made for this split
 * alone, so no message of another group or of the parent ever matches. A message is posted with its peer translated to
 * the parent's numbering (and keeps it: a failure names the peer by its rank in the parent group). Thread-safety is
 * that of the transport underneath.
 */
public final class SubgroupTransport implements Transport {
    private final Transport inner;
    private final int[] members;
    private final int rank;

    /**
     * The view of {@code inner} on the ranks {@code members} (parent ranks, in the sub-group's order), seen from
     * sub-group rank {@code rank}, which must be {@code inner}'s own.
     */
    public SubgroupTransport(Transport inner, int[] members, int rank) {
        if (rank < 0 || rank >= members.length || members[rank] != inner.rank()) {
            throw new IllegalArgumentException("rank " + rank + " of the sub-group is not this endpoint (rank "
                    + inner.rank() + " of the parent)");
        }
        this.inner = inner;
        this.members = members.clone();
        this.rank = rank;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return members.length;
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
    public void post(Message m) {
        int peer = m.peer();
        if (peer < 0 || peer >= members.length) {
            throw new IllegalArgumentException("peer " + peer + " is out of range for a sub-group of "
                    + members.length + " ranks");
        }
        inner.post(m.retarget(members[peer]));
    }

    @Override
    public void await(Message m) {
        inner.await(m);
    }

    @Override
    public int awaitAny(Message[] messages, int count) {
        return inner.awaitAny(messages, count);
    }

    @Override
    public boolean test(Message m) {
        return inner.test(m);
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
    public void spinOnlyWhen(BooleanSupplier urgent) {
        inner.spinOnlyWhen(urgent);
    }

    @Override
    public void close() {
        inner.close();
    }
}

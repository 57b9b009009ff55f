package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.CollectiveException;
import java.time.Duration;

/**
 * Ordered, reliable point-to-point messages between the ranks of one group: the layer the collective algorithms are
 * written against (like Gloo's transport::Pair or MPICH's netmod). Messages between a pair of ranks are matched in the
 * order they were posted on each side; every received header is checked against the receiver's.
 *
 * <p>One thread at a time drives a transport (the communicator serializes collectives); {@link #abort} and
 * {@link #close} may come from any thread. A transport that fails stays failed: every later call throws the failure.
 */
public interface Transport extends AutoCloseable {

    /** This endpoint's rank, 0 ≤ rank &lt; size. */
    int rank();

    /** Number of ranks in the group. */
    int size();

    /** Short name for logs and benchmark output ("local", "tcp", "mpj"). */
    String name();

    /** How long a wait may see no progress from a peer before that peer is declared failed. */
    Duration timeout();

    /** Starts a send or receive; returns at once. The message's buffer must not be touched until it completes. */
    void post(Message m);

    /**
     * Waits until {@code m} completes, driving progress meanwhile.
     *
     * @throws io.ringsgd.collectives.PeerFailureException if a peer died or stalled past {@link #timeout()}
     * @throws io.ringsgd.collectives.CollectiveMismatchException if a peer's header disagreed
     */
    void await(Message m);

    /** Makes what progress it can without blocking; true when {@code m} has completed. */
    boolean test(Message m);

    /** Marks this endpoint failed with {@code cause} and tells the peers (best effort). Idempotent. */
    void abort(CollectiveException cause);

    /** The failure this endpoint has seen, or null while healthy. */
    CollectiveException failure();

    /** The transport's own collectives (MPJ Express's), or null if it has none. */
    default NativeCollectives nativeCollectives() {
        return null;
    }

    /** Leaves the group: peers that still expect messages from this rank will fail, others are unaffected. */
    @Override
    void close();
}

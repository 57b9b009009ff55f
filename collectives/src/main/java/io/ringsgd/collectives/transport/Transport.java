package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.CollectiveException;
import java.time.Duration;

/**
 * Ordered, reliable point-to-point messages between the ranks of one group: the layer the collective algorithms are
 * written against (like Gloo's transport::Pair or MPICH's netmod). Messages between a pair of ranks are matched in the
 * order they were posted on each side; every received header is checked against the receiver's.
 *
 * <p>One thread at a time drives a transport (the communicator serializes collectives); {@link #abort},
 * {@link #failure} and {@link #close} may come from any thread. A transport that fails stays failed: every later call
 * throws the failure. What a transport needs to remember about a message in flight it keeps to itself: a
 * {@link Message} is only the request.
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

    /**
     * Starts a send or receive; returns at once. The message's buffer must not be touched, and the message not reset,
     * until it completes. Messages to (from) one peer are matched in the order they were posted.
     *
     * @throws IllegalArgumentException if the peer is this rank or out of range, or the message too large
     * @throws CollectiveException if this endpoint has failed or is closed
     */
    void post(Message m);

    /**
     * Waits until {@code m} completes, driving progress meanwhile ({@code MPI_Wait}).
     *
     * @throws io.ringsgd.collectives.PeerFailureException if a peer died or stalled past {@link #timeout()}
     * @throws io.ringsgd.collectives.CollectiveMismatchException if a peer's header disagreed
     */
    void await(Message m);

    /**
     * Waits until one of {@code messages[0..count)} completes, driving progress on all of them meanwhile, and returns
     * its index ({@code MPI_Waitany}); if several have completed, the lowest index. Null entries are skipped, like
     * {@code MPI_REQUEST_NULL}. A message that completed with a failure throws it. Failure detection is that of
     * {@link #await}: the wait is measured from the last progress on any of the messages, and a stall report names
     * the peer of the first non-null message. Allocates nothing.
     *
     * @throws IllegalArgumentException if every entry is null
     * @throws io.ringsgd.collectives.PeerFailureException if a peer died or stalled past {@link #timeout()}
     * @throws io.ringsgd.collectives.CollectiveMismatchException if a peer's header disagreed
     */
    int awaitAny(Message[] messages, int count);

    /**
     * Makes what progress it can without blocking ({@code MPI_Test}); true when {@code m} has completed.
     *
     * @throws CollectiveException if {@code m} or this endpoint failed
     */
    boolean test(Message m);

    /** Marks this endpoint failed with {@code cause} and tells the peers (best effort). Idempotent. */
    void abort(CollectiveException cause);

    /** The failure this endpoint has seen, or null while healthy. */
    CollectiveException failure();

    /**
     * Tells a transport that busy-waits (spins before it blocks, to save a wake-up on short waits) when to: only
     * while {@code urgent} says a thread is waiting for the collective being run (a blocking call, or a request being
     * awaited). A collective that runs in the background while its caller computes must not spin: on a host with few
     * cores the spinning takes the core from the computation it is meant to overlap. Default: ignored.
     */
    default void spinOnlyWhen(java.util.function.BooleanSupplier urgent) {
    }

    /**
     * Whether {@link #dup} makes new communication contexts on this transport (for {@code Communicator.dup()}).
     * Default false.
     */
    default boolean canDup() {
        return false;
    }

    /**
     * This rank's endpoint of a new communication context on the same group: its messages never match this
     * transport's, and the two may be driven by different threads at the same time. Collective: every rank calls it
     * at the same point of the same collective; {@code fromRankZero} hands a value from rank 0 to every rank (each
     * rank passes its own; all get rank 0's) over this transport. Blocks until the new context is connected.
     *
     * @throws UnsupportedOperationException if {@link #canDup()} is false
     * @throws CollectiveException if the new context cannot be set up
     */
    default Transport dup(java.util.function.LongUnaryOperator fromRankZero) {
        throw new UnsupportedOperationException("the " + name() + " transport has no communication contexts");
    }

    /**
     * Bytes this endpoint has posted for sending since it was made, as it puts them on its medium: payload plus
     * framing (TCP: payload and a 56-byte frame header per message; in-JVM: payload only), or −1 if this transport
     * does not count. Counts only what collectives post, not the transport's own control traffic. Read it between
     * collectives (after their requests completed) to attribute bytes to them.
     */
    default long bytesSent() {
        return -1;
    }

    /** The transport's own collectives (MPJ Express's), or null if it has none. */
    default NativeCollectives nativeCollectives() {
        return null;
    }

    /** Leaves the group: peers that still expect messages from this rank will fail, others are unaffected. */
    @Override
    void close();
}

package io.ringsgd.collectives;

/**
 * A peer died, closed its communicator while others still needed it, sent garbage, or stalled past the timeout
 * (waiting ranks exchange stall reports and name the rank at the end of the wait-for chain, the one that waits on
 * nobody); {@link #rank()} names it. Every surviving rank gets it. When a rank's own code threw (in
 * {@link Communicators#runLocal}), that exception is the cause.
 */
public class PeerFailureException extends CollectiveException {
    private static final long serialVersionUID = 1L;
    private final int rank;

    /** A failure of {@code rank}, described by {@code message}. */
    public PeerFailureException(int rank, String message) {
        super(message);
        this.rank = rank;
    }

    /** A failure of {@code rank}, described by {@code message}, caused by {@code cause}. */
    public PeerFailureException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /** The rank that failed. */
    public int rank() {
        return rank;
    }
}

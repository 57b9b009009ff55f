package io.ringsgd.collectives;

/** A peer died, closed its end, sent garbage, or stalled past the timeout; {@link #rank()} names it. */
public class PeerFailureException extends CollectiveException {
    private static final long serialVersionUID = 1L;
    private final int rank;

    public PeerFailureException(int rank, String message) {
        super(message);
        this.rank = rank;
    }

    public PeerFailureException(int rank, String message, Throwable cause) {
        super(message, cause);
        this.rank = rank;
    }

    /** The rank that failed. */
    public int rank() {
        return rank;
    }
}

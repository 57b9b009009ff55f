package io.ringsgd.collectives;

/**
 * Ranks called collectives that do not match (a different collective, count, op, element type, root, algorithm,
 * compression or order, or threads that took turns on the communicator at different collectives). The message says
 * which rank called what; {@link #rank()} is the rank whose message disagreed with what the reporting rank expected.
 * Every rank of the group gets it, where the disagreeing messages meet (or, for ranks that only wait to receive from
 * each other, from the stall reports after the timeout).
 */
public class CollectiveMismatchException extends CollectiveException {
    private static final long serialVersionUID = 1L;
    private final int rank;

    /** A disagreement found in a message from {@code rank}, described by {@code message}. */
    public CollectiveMismatchException(int rank, String message) {
        super(message);
        this.rank = rank;
    }

    /** The rank whose call disagreed. */
    public int rank() {
        return rank;
    }
}

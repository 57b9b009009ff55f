package io.ringsgd.collectives;

/**
 * Ranks called collectives that do not match (a different count, op, element type, root, algorithm or order).
 * {@link #rank()} is the rank whose message disagreed with what the reporting rank expected.
 */
public class CollectiveMismatchException extends CollectiveException {
    private static final long serialVersionUID = 1L;
    private final int rank;

    public CollectiveMismatchException(int rank, String message) {
        super(message);
        this.rank = rank;
    }

    /** The rank whose call disagreed. */
    public int rank() {
        return rank;
    }
}

package io.ringsgd.collectives;

/** Which collective a message belongs to; carried in every message header so that ranks that disagree fail loudly. */
public enum CollectiveKind {
    /** {@link Communicator#allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}. */
    ALLREDUCE("allreduce"),
    /** {@link Communicator#broadcast(ElementBuffer, int, CollectiveOptions)}. */
    BROADCAST("broadcast"),
    /** {@link Communicator#reduce(ElementBuffer, ElementBuffer, ReduceOp, int, CollectiveOptions)}. */
    REDUCE("reduce"),
    /** {@link Communicator#reduceScatter(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}. */
    REDUCE_SCATTER("reduceScatter"),
    /** {@link Communicator#allgather(ElementBuffer, ElementBuffer, CollectiveOptions)}. */
    ALLGATHER("allgather"),
    /** {@link Communicator#barrier()}. */
    BARRIER("barrier"),
    /** A collective written outside this module directly against the transport (the GPU device AllReduce). */
    EXTERNAL("external");

    private final String label;

    CollectiveKind(String label) {
        this.label = label;
    }

    /** The API name of the collective ("reduceScatter"). */
    public String label() {
        return label;
    }

    /** The kind with wire code {@code code} (its ordinal), or null if none. */
    public static CollectiveKind ofCode(int code) {
        CollectiveKind[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}

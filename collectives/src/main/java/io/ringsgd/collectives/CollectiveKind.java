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
    EXTERNAL("external"),
    /** {@link Communicator#gather(ElementBuffer, ElementBuffer, int, CollectiveOptions)}. */
    GATHER("gather"),
    /** {@link Communicator#scatter(ElementBuffer, ElementBuffer, int, CollectiveOptions)}. */
    SCATTER("scatter"),
    /** {@link Communicator#alltoall(ElementBuffer, ElementBuffer, CollectiveOptions)}. */
    ALLTOALL("alltoall"),
    /** {@link Communicator#scan(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}. */
    SCAN("scan"),
    /** {@link Communicator#exscan(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}. */
    EXSCAN("exscan"),
    /** {@link Communicator#allgatherv}. */
    ALLGATHERV("allgatherv"),
    /** {@link Communicator#gatherv}. */
    GATHERV("gatherv"),
    /** {@link Communicator#scatterv}. */
    SCATTERV("scatterv"),
    /** {@link Communicator#alltoallv}. */
    ALLTOALLV("alltoallv"),
    /** {@link Communicator#reduceScatterv}. */
    REDUCE_SCATTERV("reduceScatterv"),
    /** {@link Communicator#dup()}: the ranks agree on a new communication context. */
    DUP("dup");

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

package io.ringsgd.collectives;

/** Which collective a message belongs to; carried in every message header so that ranks that disagree fail loudly. */
public enum CollectiveKind {
    ALLREDUCE("allreduce"),
    BROADCAST("broadcast"),
    REDUCE("reduce"),
    REDUCE_SCATTER("reduceScatter"),
    ALLGATHER("allgather"),
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

    public static CollectiveKind ofCode(int code) {
        CollectiveKind[] all = values();
        return code >= 0 && code < all.length ? all[code] : null;
    }
}

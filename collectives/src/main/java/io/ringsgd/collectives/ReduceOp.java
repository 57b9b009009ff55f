package io.ringsgd.collectives;

/**
 * The reduction applied element-wise by allreduce, reduce and reduceScatter. AVG is computed as SUM followed by a
 * division by the group size on every rank, so it stays bit-identical across ranks.
 */
public enum ReduceOp {
    SUM, PROD, MIN, MAX, AVG;

    /** The operation the algorithms actually run: AVG travels as SUM. */
    public ReduceOp wireOp() {
        return this == AVG ? SUM : this;
    }

    /** Parses "sum", "avg", ... (case-insensitive). */
    public static ReduceOp parse(String s) {
        for (ReduceOp op : values()) {
            if (op.name().equalsIgnoreCase(s.trim())) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown reduce op '" + s + "': use one of sum, prod, min, max, avg");
    }
}

package io.ringsgd.collectives;

/**
 * The reduction applied element-wise by allreduce, reduce and reduceScatter, in the element type's own arithmetic.
 * AVG is computed as SUM followed by a division by the group size on every rank, so it stays bit-identical across
 * ranks. MIN and MAX follow {@link Math#min(float, float)}: a NaN operand gives NaN, and −0.0 is below +0.0.
 */
public enum ReduceOp {
    /** Sum. */
    SUM,
    /** Product. */
    PROD,
    /** Minimum ({@link Math#min}). */
    MIN,
    /** Maximum ({@link Math#max}). */
    MAX,
    /** Sum divided by the number of ranks. */
    AVG;

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

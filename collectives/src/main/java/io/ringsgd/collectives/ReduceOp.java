package io.ringsgd.collectives;

/**
 * The reduction applied element-wise by allreduce, reduce, reduceScatter and scan, in the element type's own
 * arithmetic.
 *
 * <ul>
 *   <li>SUM, PROD, MIN, MAX apply to every numeric type. On floats and doubles MIN and MAX follow
 *       {@link Math#min(float, float)}: a NaN operand gives NaN, and −0.0 is below +0.0. On {@code int}, {@code long}
 *       and {@code byte} they are signed, and SUM and PROD wrap around on overflow as Java's {@code +} and {@code *}
 *       do (bytes as {@code (byte) (a + b)}), so the result does not depend on the order the ranks are combined
 *       in.</li>
 *   <li>AVG (floats and doubles only) is computed as SUM followed by a division by the group size on every rank, so
 *       it stays bit-identical across ranks.</li>
 *   <li>BAND, BOR, BXOR (bitwise) and LAND, LOR (logical: an element is true when non-zero, and a combined element is
 *       1 or 0, as in C and MPI) apply to the integer types only. With one rank the input is returned unchanged.</li>
 *   <li>MINLOC and MAXLOC pair each value with an index ({@link Communicator#allreduceLoc}).</li>
 * </ul>
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
    /** Sum divided by the number of ranks (floating-point types only). */
    AVG,
    /** Bitwise and ({@code a & b}), integer types only. */
    BAND,
    /** Bitwise or ({@code a | b}), integer types only. */
    BOR,
    /** Bitwise exclusive or ({@code a ^ b}), integer types only. */
    BXOR,
    /** Logical and: 1 if both are non-zero, else 0; integer types only. */
    LAND,
    /** Logical or: 1 if either is non-zero, else 0; integer types only. */
    LOR,
    /**
     * Minimum value and its index, ties to the lowest index ({@code MPI_MINLOC}): only with
     * {@link Communicator#allreduceLoc}, which takes the indices.
     */
    MINLOC,
    /** Maximum value and its index, ties to the lowest index ({@code MPI_MAXLOC}): only with allreduceLoc. */
    MAXLOC,
    /**
     * A {@link UserReduction}: what message headers carry for one (so that ranks that disagree are told); not an op
     * to pass yourself.
     */
    USER;

    /** The operation the algorithms actually run: AVG travels as SUM. */
    public ReduceOp wireOp() {
        return this == AVG ? SUM : this;
    }

    /** True when the op applies to elements of {@code type}. */
    public boolean appliesTo(ElementType type) {
        if (this == MINLOC || this == MAXLOC || this == USER) {
            return false;
        }
        if (type.isInteger()) {
            return this != AVG;
        }
        return ordinal() <= AVG.ordinal();
    }

    /** Parses "sum", "avg", "band", ... (case-insensitive). */
    public static ReduceOp parse(String s) {
        for (ReduceOp op : values()) {
            if (op.name().equalsIgnoreCase(s.trim())) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown reduce op '" + s
                + "': use one of sum, prod, min, max, avg, band, bor, bxor, land, lor, minloc, maxloc");
    }
}

package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;

/**
 * The argument checks every collective makes on the calling thread, before anything is sent: each failure is a
 * one-line {@link IllegalArgumentException} naming the argument and what to pass instead.
 */
final class Arguments {
    private final int rank;
    private final int size;

    Arguments(int rank, int size) {
        this.rank = rank;
        this.size = size;
    }

    static void checkOptions(CollectiveOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null: pass CollectiveOptions.DEFAULT");
        }
    }

    static void checkOp(ReduceOp op) {
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a ReduceOp (SUM, PROD, MIN, MAX or AVG)");
        }
    }

    static void checkBuffer(ElementBuffer b, String name) {
        if (b == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    static void checkWritable(ElementBuffer b, String name) {
        checkBuffer(b, name);
        if (!b.isWritable()) {
            throw new IllegalArgumentException(name + " is read-only: the result is written into it");
        }
    }

    static void checkSameType(ElementBuffer send, ElementBuffer recv) {
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
    }

    static void checkNoOverlap(ElementBuffer send, ElementBuffer recv, String what) {
        if (send.mayOverlap(recv)) {
            throw new IllegalArgumentException("send and recv overlap: " + what + " needs separate buffers (or the"
                    + " in-place form where it has one)");
        }
    }

    static void checkOpType(ReduceOp op, ElementType type) {
        if (op == ReduceOp.MINLOC || op == ReduceOp.MAXLOC) {
            throw new IllegalArgumentException("op " + op + " pairs values with indices: call allreduceLoc");
        }
        if (op == ReduceOp.USER) {
            throw new IllegalArgumentException("op USER marks user reductions on the wire: pass the UserReduction"
                    + " itself");
        }
        if (!op.appliesTo(type)) {
            throw new IllegalArgumentException("op " + op + " does not apply to " + type.label() + " elements: "
                    + (type.isInteger() ? "AVG is for float and double; use SUM and divide"
                            : "bitwise and logical ops (BAND, BOR, BXOR, LAND, LOR) are for int, long and byte"));
        }
    }

    static void checkReducible(ElementBuffer b, ReduceOp op, String name) {
        checkBuffer(b, name);
        checkOpType(op, b.type());
        if (!b.isWritable()) {
            throw new IllegalArgumentException(name + " is read-only: the result is written into it");
        }
    }

    static void checkSendRecv(ElementBuffer send, ElementBuffer recv, int count, String what) {
        if (send == null) {
            return;
        }
        checkSameType(send, recv);
        if (send.count() != count || recv.count() != count) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but recv has "
                    + recv.count() + ": an out-of-place " + what + " needs equal counts");
        }
        if (send.mayOverlap(recv) && !send.sameRegion(recv)) {
            throw new IllegalArgumentException("send and recv overlap without being the same elements: use the"
                    + " in-place form (send null) or separate buffers");
        }
    }

    void checkRoot(int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " is out of range for a group of " + size
                    + " ranks (0.." + (size - 1) + ")");
        }
    }

    /** Checks that {@code send}, which is null only at the root in place, is there on every other rank. */
    void checkContribution(ElementBuffer send, int root, String form) {
        if (send == null && rank != root) {
            throw new IllegalArgumentException("send is null on rank " + rank + ", which is not the root " + root
                    + ": " + form);
        }
    }

    // ------------------------------------------------------------------------------------------- v-form checks

    /** A copy of {@code counts} (the caller may reuse its array at once), checked: one per rank, none negative. */
    int[] counts(int[] counts, String name) {
        if (counts == null) {
            throw new IllegalArgumentException(name + " is null: pass one count per rank");
        }
        if (counts.length != size) {
            throw new IllegalArgumentException(name + " has " + counts.length + " entries for a group of " + size
                    + " ranks: pass one count per rank");
        }
        for (int q = 0; q < size; q++) {
            if (counts[q] < 0) {
                throw new IllegalArgumentException(name + "[" + q + "] is " + counts[q] + ": counts must be >= 0");
            }
        }
        return counts.clone();
    }

    /**
     * A copy of {@code displs} checked against {@code buf} (every block inside it), or, when null, the packed
     * displacements of {@code counts} (block q right after block q−1).
     */
    int[] displacements(int[] counts, int[] displs, ElementBuffer buf, String countsName, String name) {
        if (displs != null && displs.length != size) {
            throw new IllegalArgumentException(name + " has " + displs.length + " entries for a group of " + size
                    + " ranks: pass one displacement per rank, or null for packed blocks");
        }
        int[] at = new int[size];
        long next = 0;
        for (int q = 0; q < size; q++) {
            long start = displs == null ? next : displs[q];
            if (start < 0 || start + counts[q] > buf.count()) {
                throw new IllegalArgumentException("block " + q + " (" + name + " " + start + ", " + countsName + " "
                        + counts[q] + ") is outside a buffer of " + buf.count() + " elements");
            }
            at[q] = (int) start;
            next = start + counts[q];
        }
        return at;
    }

    void checkOwnCount(ElementBuffer mine, int[] counts, String name, String countsName) {
        if (mine.count() != counts[rank]) {
            throw new IllegalArgumentException(name + " has " + mine.count() + " elements but " + countsName + "["
                    + rank + "] = " + counts[rank] + " on rank " + rank + ": they must agree");
        }
    }

    static long sum(int[] counts) {
        long s = 0;
        for (int c : counts) {
            s += c;
        }
        return s;
    }
}

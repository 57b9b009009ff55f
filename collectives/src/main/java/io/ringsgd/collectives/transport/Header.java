package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;

/**
 * What collective a message belongs to: its sequence number on the communicator, kind, element type, total count,
 * op, root, algorithm, variant and caller-thread count, and, for the v-forms, the {@link #block()} digest of the
 * per-rank counts that the two ends of one message must agree on. Every message carries one, and every receiver
 * compares it with its own, so that ranks that call different collectives fail with a
 * {@link CollectiveMismatchException} instead of mixing up data. Mutable and not thread-safe: a communicator sets its context's header at the start of each
 * collective, and it stays unchanged while the collective's messages are in flight.
 */
public final class Header {
    /** Bytes of a header on the wire. */
    public static final int WIRE_BYTES = 32;
    /** Root of collectives that have none. */
    public static final int NO_ROOT = -1;
    /** The bits of {@link #block()} that travel (three bytes of the header). */
    public static final int BLOCK_MASK = 0xFF_FFFF;

    private CollectiveKind kind = CollectiveKind.ALLREDUCE;
    private ReduceOp op;
    private ElementType type = ElementType.FLOAT;
    private Algorithm algorithm = Algorithm.AUTO;
    private int root = NO_ROOT;
    private long seq;
    private long count;
    private int variant;
    private int caller;
    private int block;

    /** Sets every field but {@link #caller()}; {@code op} may be null for collectives that do not reduce. */
    public Header set(CollectiveKind kind, long seq, ElementType type, long count, ReduceOp op, int root,
            Algorithm algorithm) {
        this.kind = kind;
        this.seq = seq;
        this.type = type;
        this.count = count;
        this.op = op;
        this.root = root;
        this.algorithm = algorithm;
        this.variant = 0;
        this.block = 0;
        return this;
    }

    /** Makes this header a copy of {@code h}, every field. */
    public Header copy(Header h) {
        set(h.kind, h.seq, h.type, h.count, h.op, h.root, h.algorithm);
        this.variant = h.variant;
        this.caller = h.caller;
        this.block = h.block;
        return this;
    }

    /**
     * What the sender and the receiver of one message must agree on beyond the collective, {@link #BLOCK_MASK} bits
     * of it: for the v-forms, a digest of the per-rank counts. Collectives whose every rank knows all the counts
     * (allgatherv, reduceScatterv) put a hash of the whole counts vector here, the same in all their messages;
     * those where only the two ends of a message know its size (gatherv, scatterv, alltoallv) put the message's own
     * element count. It may differ between the messages of one collective, so it is compared where a message meets
     * its receive ({@link #check}), not by {@link #sameCollective}. 0 for the other collectives.
     */
    public int block() {
        return block;
    }

    /** Sets {@link #block()} (its low {@link #BLOCK_MASK} bits). */
    public Header block(int digest) {
        this.block = digest & BLOCK_MASK;
        return this;
    }

    /** Variant of the algorithm (the compression of a compressed ring: its {@code Compression} ordinal). */
    public int variant() {
        return variant;
    }

    /** Sets {@link #variant()}. */
    public Header variant(int v) {
        this.variant = v;
        return this;
    }

    /**
     * How many times the thread calling collectives on this rank's communicator had changed when this collective was
     * called. Every rank must hand its communicator to another thread at the same collective, so ranks whose threads
     * took turns differently (and would pair up different threads' calls) disagree here.
     */
    public int caller() {
        return caller;
    }

    /** Sets {@link #caller()}. */
    public Header caller(int c) {
        this.caller = c;
        return this;
    }

    /** Which collective. */
    public CollectiveKind kind() {
        return kind;
    }

    /** The reduction, or null for collectives that do not reduce. */
    public ReduceOp op() {
        return op;
    }

    /** The element type. */
    public ElementType type() {
        return type;
    }

    /** The algorithm the collective runs (never AUTO once resolved). */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** The root, or {@link #NO_ROOT}. */
    public int root() {
        return root;
    }

    /** The collective's sequence number on its communicator, the same on every rank. */
    public long seq() {
        return seq;
    }

    /** The collective's total element count (for reduce-scatter and all-gather, all ranks' blocks). */
    public long count() {
        return count;
    }

    /** True when both headers describe the same call of the same collective. */
    public boolean sameCollective(Header o) {
        return seq == o.seq && kind == o.kind && type == o.type && count == o.count && op == o.op && root == o.root
                && algorithm == o.algorithm && variant == o.variant && caller == o.caller;
    }

    /**
     * Throws a {@link CollectiveMismatchException} that says what differs between the header {@code sender} sent and
     * the one {@code receiver} expected (the collective, or this message's {@link #block()}), or returns if they
     * match.
     */
    public static void check(Header sent, int sender, Header expected, int receiver) {
        if (!sent.sameCollective(expected) || sent.block != expected.block) {
            throw new CollectiveMismatchException(sender, mismatch(sent, sender, expected, receiver));
        }
    }

    /** The message of a mismatch between what {@code sender} sent and what {@code receiver} expected. */
    public static String mismatch(Header sent, int sender, Header expected, int receiver) {
        StringBuilder sb = new StringBuilder();
        if (sent.seq != expected.seq) {
            sb.append("rank ").append(sender).append(" sent a message of collective #").append(sent.seq).append(" (")
                    .append(sent.describe()).append(") while rank ").append(receiver).append(" is at collective #")
                    .append(expected.seq).append(" (").append(expected.describe())
                    .append("): the ranks have not called the same number of collectives");
            return sb.toString();
        }
        sb.append("rank ").append(sender).append(" called ").append(sent.describe()).append(" but rank ")
                .append(receiver).append(" called ").append(expected.describe()).append(" as collective #")
                .append(expected.seq).append(": ");
        if (sent.kind != expected.kind) {
            sb.append("different collectives");
        } else if (sent.type != expected.type) {
            sb.append("the element type differs");
        } else if (sent.count != expected.count) {
            sb.append("the count differs");
        } else if (sent.op != expected.op) {
            sb.append("the reduce op differs");
        } else if (sent.root != expected.root) {
            sb.append("the root differs");
        } else if (sent.variant != expected.variant) {
            sb.append("the compression differs");
        } else if (sent.block != expected.block) {
            sb.append("the per-rank counts differ (");
            if (sent.kind == CollectiveKind.ALLGATHERV || sent.kind == CollectiveKind.REDUCE_SCATTERV) {
                sb.append("rank ").append(sender).append("'s counts vector is not rank ").append(receiver)
                        .append("'s: every rank must pass the same counts");
            } else {
                sb.append("rank ").append(sender).append(" sends a block of ").append(sent.block)
                        .append(" elements where rank ").append(receiver).append(" expects ")
                        .append(expected.block).append(": the counts on both sides of each block must agree");
            }
            sb.append(')');
        } else if (sent.caller != expected.caller) {
            sb.append("rank ").append(sender).append(" had changed the thread that calls its collectives ")
                    .append(sent.caller).append(" times, rank ").append(receiver).append(' ').append(expected.caller)
                    .append(" times: threads that take turns on a communicator must do so at the same collective on"
                            + " every rank, or the ranks pair up different threads' calls");
        } else {
            sb.append("the algorithm differs");
        }
        sb.append(". All ranks must call the same collectives in the same order with the same count, element type,"
                + " op, root and algorithm");
        return sb.toString();
    }

    /** "allreduce of 1024 floats, SUM, ring". */
    public String describe() {
        StringBuilder sb = new StringBuilder(kind.label()).append(" of ").append(count).append(' ')
                .append(type.label()).append(count == 1 ? "" : "s");
        if (op != null) {
            sb.append(", ").append(op);
        }
        if (root != NO_ROOT) {
            sb.append(", root ").append(root);
        }
        sb.append(", ").append(algorithm.cliName());
        if (variant != 0) {
            sb.append(" (").append(io.ringsgd.collectives.Compression.values()[variant].cliName()).append(')');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return "#" + seq + " " + describe();
    }

    /** Writes the header at the buffer's position (little-endian). */
    public void write(ByteBuffer b) {
        b.put((byte) kind.ordinal());
        b.put((byte) (op == null ? 0 : op.ordinal() + 1));
        b.put((byte) type.ordinal());
        b.put((byte) algorithm.ordinal());
        b.put((byte) variant);
        b.put((byte) block).put((byte) (block >>> 8)).put((byte) (block >>> 16));
        b.putInt(root);
        b.putInt(caller);
        b.putLong(seq);
        b.putLong(count);
    }

    /**
     * Reads a header written by {@link #write} at absolute index {@code at}; returns null (and leaves this header
     * unchanged) when a field holds a code no valid header has.
     */
    public Header read(ByteBuffer b, int at) {
        CollectiveKind k = CollectiveKind.ofCode(b.get(at));
        int opCode = b.get(at + 1);
        ElementType t = ElementType.ofCode(b.get(at + 2));
        Algorithm a = Algorithm.ofCode(b.get(at + 3));
        if (k == null || t == null || a == null || opCode < 0 || opCode > ReduceOp.values().length) {
            return null;
        }
        int v = b.get(at + 4);
        int blk = (b.get(at + 5) & 0xFF) | (b.get(at + 6) & 0xFF) << 8 | (b.get(at + 7) & 0xFF) << 16;
        int r = b.getInt(at + 8);
        int who = b.getInt(at + 12);
        long s = b.getLong(at + 16);
        long c = b.getLong(at + 24);
        if (c < 0 || v < 0 || v >= io.ringsgd.collectives.Compression.values().length) {
            return null;
        }
        set(k, s, t, c, opCode == 0 ? null : ReduceOp.values()[opCode - 1], r, a);
        this.variant = v;
        this.caller = who;
        this.block = blk;
        return this;
    }
}

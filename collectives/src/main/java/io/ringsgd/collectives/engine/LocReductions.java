package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkBuffer;
import static io.ringsgd.collectives.engine.Arguments.checkOp;
import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkWritable;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.OrderedOp;
import io.ringsgd.collectives.algorithm.RecursiveDoublingScan;
import io.ringsgd.collectives.transport.Header;

/**
 * MINLOC and MAXLOC, to every rank (allreduceLoc) or to a root (reduceLoc): the extreme value of each element over
 * the ranks, paired with the lowest index that holds it. Values of 4 bytes or fewer travel packed with their index
 * ({@link LocPacking}): one reduction of longs. Long and double values take two passes: an AllReduce of the values,
 * then a reduction of the indices of the ranks that hold the result (the others offer {@code Integer.MAX_VALUE}).
 * The prefix form (scanLoc) is one scan, of packed longs or of wide pairs. Either way the headers carry the values'
 * type and MINLOC or MAXLOC, so ranks that disagree on them fail.
 */
final class LocReductions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;
    /** Scratch, grown as needed: the packed pairs, and the two passes' values and indices. */
    private ElementBuffer pairs;
    private ElementBuffer locValues;
    private ElementBuffer locIndices;

    LocReductions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    /**
     * {@code all}: every rank's values and indices are overwritten with the result; otherwise only the root's, and
     * the others' are only read.
     */
    Request reduceLoc(boolean later, boolean all, ElementBuffer values, ElementBuffer indices, ReduceOp op, int root,
            CollectiveOptions o) {
        String what = all ? "allreduceLoc" : "reduceLoc";
        checkOptions(o);
        checkOp(op);
        if (op != ReduceOp.MINLOC && op != ReduceOp.MAXLOC) {
            throw new IllegalArgumentException(what + " takes MINLOC or MAXLOC, got " + op);
        }
        core.args.checkRoot(root);
        boolean receives = all || rank == root;
        if (receives) {
            checkWritable(values, "values");
            checkWritable(indices, "indices");
        } else {
            checkBuffer(values, "values");
            checkBuffer(indices, "indices");
        }
        checkPairs(values, indices, o, what);
        CollectiveKind kind = all ? CollectiveKind.ALLREDUCE : CollectiveKind.REDUCE;
        int at = all ? Header.NO_ROOT : root;
        if (LocPacking.packs(values.type())) {
            Algorithm a = core.algorithm(kind, o, (long) values.count() * Long.BYTES);
            if (a == Algorithm.NATIVE) {
                throw new IllegalArgumentException(what + " has no " + a.cliName() + " algorithm: the transport's"
                        + " own collectives take float or double elements; use auto or one of ringsgd's algorithms");
            }
            return core.seq.dispatch(later, what, seq -> {
                int n = values.count();
                ctx.header().set(kind, seq, values.type(), n, op, at, a);
                if (n == 0 || size == 1) {
                    return;
                }
                if (pairs == null || pairs.count() < n) {
                    pairs = ElementBuffer.allocate(ElementType.LONG, n);
                }
                ElementBuffer packed = pairs.slice(0, n);
                LocPacking.pack(values, indices, op, packed, n);
                core.pipelining(o);
                ReduceOp extreme = op == ReduceOp.MINLOC ? ReduceOp.MIN : ReduceOp.MAX;
                core.registry.run(kind, a, ctx, all ? null : packed, receives ? packed : null, extreme, at);
                if (receives) {
                    LocPacking.unpack(packed, op, values, indices, n);
                }
            });
        }
        Algorithm av = core.algorithm(CollectiveKind.ALLREDUCE, o, values);
        Algorithm ai = core.algorithm(kind, o, indices);
        return core.seq.dispatch(later, what, 2, seq -> {
            int n = values.count();
            ctx.header().set(kind, seq, values.type(), n, op, at, av);
            if (n == 0 || size == 1) {
                return;
            }
            twoPasses(seq, kind, av, ai, values, indices, op, at, o);
        });
    }

    /**
     * Inclusive prefix MINLOC / MAXLOC, in place on every rank, on recursive doubling: one scan of packed longs, or
     * of wide pairs for long and double values ({@link LocPacking}).
     */
    Request scanLoc(boolean later, ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        if (op != ReduceOp.MINLOC && op != ReduceOp.MAXLOC) {
            throw new IllegalArgumentException("scanLoc takes MINLOC or MAXLOC, got " + op);
        }
        checkWritable(values, "values");
        checkWritable(indices, "indices");
        checkPairs(values, indices, o, "scanLoc");
        boolean narrow = LocPacking.packs(values.type());
        Algorithm a = core.algorithm(CollectiveKind.SCAN, o, (long) values.count() * (narrow ? 8 : 16));
        return core.seq.dispatch(later, "scanLoc", seq -> {
            int n = values.count();
            ctx.header().set(CollectiveKind.SCAN, seq, values.type(), n, op, Header.NO_ROOT, a);
            if (n == 0 || size == 1) {
                return;
            }
            int longs = narrow ? n : 2 * n;
            if (pairs == null || pairs.count() < longs) {
                pairs = ElementBuffer.allocate(ElementType.LONG, longs);
            }
            ElementBuffer packed = pairs.slice(0, longs);
            if (narrow) {
                LocPacking.pack(values, indices, op, packed, n);
                core.registry.run(CollectiveKind.SCAN, a, ctx, packed, packed,
                        op == ReduceOp.MINLOC ? ReduceOp.MIN : ReduceOp.MAX, Header.NO_ROOT);
                LocPacking.unpack(packed, op, values, indices, n);
            } else {
                LocPacking.packWide(values, indices, op, packed, n);
                RecursiveDoublingScan.scan(ctx, packed, packed, OrderedOp.of(op == ReduceOp.MINLOC
                        ? LocPacking.WIDE_MINLOC : LocPacking.WIDE_MAXLOC), false);
                LocPacking.unpackWide(packed, values, indices, n);
            }
        });
    }

    private static void checkPairs(ElementBuffer values, ElementBuffer indices, CollectiveOptions o, String what) {
        if (indices.type() != ElementType.INT) {
            throw new IllegalArgumentException("indices holds " + indices.type().label() + "s: pass int indices");
        }
        if (values.count() != indices.count()) {
            throw new IllegalArgumentException("values has " + values.count() + " elements but indices "
                    + indices.count() + ": pass one index per value");
        }
        if (o.compression() != Compression.NONE) {
            throw new IllegalArgumentException(what + " cannot be compressed: its results must be exact");
        }
    }

    /** Pass 1: the extreme value, to every rank. Pass 2: the lowest index among the ranks that hold it. */
    private void twoPasses(long seq, CollectiveKind kind, Algorithm av, Algorithm ai, ElementBuffer values,
            ElementBuffer indices, ReduceOp op, int root, CollectiveOptions o) {
        int n = values.count();
        boolean all = kind == CollectiveKind.ALLREDUCE;
        if (locValues == null || locValues.type() != values.type() || locValues.count() < n) {
            locValues = ElementBuffer.allocate(values.type(), n);
        }
        if (locIndices == null || locIndices.count() < n) {
            locIndices = ElementBuffer.allocate(ElementType.INT, n);
        }
        ElementBuffer extremes = locValues.slice(0, n);
        ElementBuffer offered = locIndices.slice(0, n);
        values.copyTo(0, extremes, 0, n);
        indices.copyTo(0, offered, 0, n);
        core.pipelining(o);
        ReduceOp extreme = op == ReduceOp.MINLOC ? ReduceOp.MIN : ReduceOp.MAX;
        core.registry.run(CollectiveKind.ALLREDUCE, av, ctx, null, extremes, extreme, Header.NO_ROOT);
        boolean floating = !values.type().isInteger();
        for (int i = 0; i < n; i++) {
            boolean holds = floating ? sameValue(values.get(i), extremes.get(i))
                    : values.getLong(i) == extremes.getLong(i);
            if (!holds) {
                offered.setLong(i, Integer.MAX_VALUE);
            }
        }
        ctx.header().set(kind, seq + 1, ElementType.INT, n, op, root, ai);
        if (all) {
            core.registry.run(CollectiveKind.ALLREDUCE, ai, ctx, null, offered, ReduceOp.MIN, Header.NO_ROOT);
        } else {
            core.registry.run(CollectiveKind.REDUCE, ai, ctx, offered, rank == root ? offered : null, ReduceOp.MIN,
                    root);
        }
        if (all || rank == root) {
            extremes.copyTo(0, values, 0, n);
            offered.copyTo(0, indices, 0, n);
        }
    }

    /**
     * The same value as MIN and MAX order them: equal bits (so −0.0, below +0.0, is not +0.0), any NaN matching a NaN
     * (a NaN wins MIN and MAX).
     */
    private static boolean sameValue(double mine, double result) {
        return Double.doubleToRawLongBits(mine) == Double.doubleToRawLongBits(result)
                || (mine != mine && result != result);
    }
}

package io.ringsgd.collectives.engine;

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
import io.ringsgd.collectives.transport.Header;

/** MINLOC and MAXLOC: the extreme value of each element over the ranks, paired with the lowest index that holds it. */
final class LocReductions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int size;
    /** Each rank's own values during an allreduceLoc (the first pass overwrites them); grown as needed. */
    private ElementBuffer locValues;

    LocReductions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.size = core.size;
    }

    Request allreduceLoc(boolean later, ElementBuffer values, ElementBuffer indices, ReduceOp op,
            CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        if (op != ReduceOp.MINLOC && op != ReduceOp.MAXLOC) {
            throw new IllegalArgumentException("allreduceLoc takes MINLOC or MAXLOC, got " + op);
        }
        checkWritable(values, "values");
        checkWritable(indices, "indices");
        if (indices.type() != ElementType.INT) {
            throw new IllegalArgumentException("indices holds " + indices.type().label() + "s: pass int indices");
        }
        if (values.count() != indices.count()) {
            throw new IllegalArgumentException("values has " + values.count() + " elements but indices "
                    + indices.count() + ": pass one index per value");
        }
        if (o.compression() != Compression.NONE) {
            throw new IllegalArgumentException("allreduceLoc cannot be compressed: its results must be exact");
        }
        Algorithm av = core.algorithm(CollectiveKind.ALLREDUCE, o, values);
        Algorithm ai = core.algorithm(CollectiveKind.ALLREDUCE, o, indices);
        ReduceOp extreme = op == ReduceOp.MINLOC ? ReduceOp.MIN : ReduceOp.MAX;
        return core.seq.dispatch(later, "allreduceLoc", 2, seq -> {
            int n = values.count();
            ctx.header().set(CollectiveKind.ALLREDUCE, seq, values.type(), n, op, Header.NO_ROOT, av);
            if (n == 0 || size == 1) {
                return;
            }
            if (locValues == null || locValues.type() != values.type() || locValues.count() < n) {
                locValues = ElementBuffer.allocate(values.type(), n);
            }
            values.copyTo(0, locValues, 0, n);
            core.pipelining(o);
            // Pass 1: the extreme value. Pass 2: the lowest index among the ranks that hold it.
            core.registry.run(CollectiveKind.ALLREDUCE, av, ctx, null, values, extreme, Header.NO_ROOT);
            boolean floating = !values.type().isInteger();
            for (int i = 0; i < n; i++) {
                boolean holds = floating ? sameValue(locValues.get(i), values.get(i))
                        : locValues.getLong(i) == values.getLong(i);
                if (!holds) {
                    indices.setLong(i, Integer.MAX_VALUE);
                }
            }
            ctx.header().set(CollectiveKind.ALLREDUCE, seq + 1, ElementType.INT, n, op, Header.NO_ROOT, ai);
            core.registry.run(CollectiveKind.ALLREDUCE, ai, ctx, null, indices, ReduceOp.MIN, Header.NO_ROOT);
        });
    }

    /** Equal as {@code ==} compares (so −0.0 ties with +0.0), with NaN matching NaN (NaN wins MIN and MAX). */
    private static boolean sameValue(double mine, double result) {
        return mine == result || (mine != mine && result != result);
    }
}

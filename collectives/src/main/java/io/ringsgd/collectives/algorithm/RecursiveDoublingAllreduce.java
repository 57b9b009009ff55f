package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Recursive-doubling AllReduce (MPICH's {@code allreduce_intra_recursive_doubling}): in round k every rank exchanges
 * its whole partial result with the rank 2^k away and combines the two, lower rank's operand first. Unlike the other
 * algorithms, where each element is reduced on one rank and then copied, every rank computes every element itself:
 * the IEEE operations are commutative, so partners agree bit for bit on every result but NaNs, whose payload Java
 * leaves unspecified; the result's NaNs are therefore made canonical (a NaN operand always gives a NaN result, so
 * every rank has a NaN in the same places). Non-power-of-two sizes fold the extra ranks in first
 * ({@link PowerOfTwoFold}). Every combination keeps the ranks' order (each operand is an aligned block of consecutive
 * ranks, the lower block first), so it also runs user reductions that do not commute ({@link OrderedOp}).
 *
 * <p>Cost for n bytes on P ranks (P a power of two): lg P·α + lg P·n·β + (lg P + 1)·n·γ (the last n·γ is the NaN
 * scan), plus 2α + 2nβ + nγ when P is not a power of two. Fewest rounds of all algorithms: the choice for short
 * vectors.
 */
public final class RecursiveDoublingAllreduce implements AllreduceAlgorithm {

    @Override
    public Algorithm id() {
        return Algorithm.RECURSIVE_DOUBLING;
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        allreduce(ctx, data, OrderedOp.of(op));
    }

    /** As above for any reduction, built-in or the user's, combined in rank order. */
    public void allreduce(CollectiveContext ctx, ElementBuffer data, OrderedOp op) {
        if (ctx.size() == 1) {
            return;
        }
        PowerOfTwoFold fold = new PowerOfTwoFold(ctx.size());
        int newRank = fold.foldIn(ctx, data, op);
        if (newRank >= 0) {
            int n = data.count();
            ElementBuffer tmp = ctx.scratch(data.type(), n, 0);
            for (int mask = 1; mask < fold.pof2; mask <<= 1) {
                int dst = fold.realRank(newRank ^ mask);
                // The whole vector travels both ways, so the reduction waits until both transfers are done.
                ctx.sendrecv(dst, data, 0, n, dst, tmp, 0, n, null, false);
                if (dst < ctx.rank()) {
                    op.intoHigher(tmp, 0, data, 0, n);
                } else {
                    op.intoLower(data, 0, tmp, 0, n);
                }
            }
            data.canonicalizeNaNs();
        }
        fold.foldOut(ctx, data);
    }
}

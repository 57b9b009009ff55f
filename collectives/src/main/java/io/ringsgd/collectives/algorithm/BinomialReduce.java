package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Binomial-tree reduce (MPICH's {@code reduce_intra_binomial}, commutative case): in round k, ranks whose relative
 * rank has bit k set send their partial result to the rank without that bit and drop out.
 *
 * <p>Cost for n bytes on P ranks: ⌈lg P⌉·(α + n·β + n·γ). Short vectors.
 */
final class BinomialReduce {
    private BinomialReduce() {
    }

    /** Reduces {@code data} to {@code root}; on other ranks {@code data} is left holding a partial result. */
    static void reduceInPlace(CollectiveContext ctx, ElementBuffer data, ReduceOp op, int root) {
        int p = ctx.size();
        int rel = Math.floorMod(ctx.rank() - root, p);
        int n = data.count();
        for (int mask = 1; mask < p; mask <<= 1) {
            if ((rel & mask) == 0) {
                int src = rel | mask;
                if (src < p) {
                    ctx.recvReduce((src + root) % p, data, 0, n, op, false);
                }
            } else {
                ctx.send(((rel & ~mask) + root) % p, data, 0, n);
                break;
            }
        }
    }
}

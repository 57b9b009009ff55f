package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Reduce-scatter for short vectors: a binomial reduce of all blocks to rank 0, then a binomial scatter of the blocks.
 *
 * <p>Cost for n bytes in all on P ranks: 2·⌈lg P⌉·α + ⌈lg P⌉·n·(β + γ) + (P−1)/P·n·β.
 */
final class TreeReduceScatter {
    private TreeReduceScatter() {
    }

    static void reduceScatter(CollectiveContext ctx, ElementBuffer work, ReduceOp op) {
        BinomialReduce.reduceInPlace(ctx, work, op, 0);
        BinomialScatter.scatter(ctx, work, 0);
    }
}

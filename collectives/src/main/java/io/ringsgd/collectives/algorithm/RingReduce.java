package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Reduce for long vectors (Rabenseifner's reduce, with a ring reduce-scatter): a ring reduce-scatter leaves each rank
 * with one reduced chunk, which it sends to the root.
 *
 * <p>Cost for n bytes on P ranks: 2(P−1)·α + 2·(P−1)/P·n·β + (P−1)/P·n·γ, against ⌈lg P⌉·n·(β+γ) for the binomial
 * tree.
 */
final class RingReduce {
    private RingReduce() {
    }

    /** {@code work} holds this rank's contribution and is clobbered; at the root it ends holding the result. */
    static void reduce(CollectiveContext ctx, ElementBuffer work, ReduceOp op, int root) {
        int p = ctx.size();
        int count = work.count();
        RingPipeline.run(ctx, work, 0, p - 1, p - 1, op, root);
        int rel = Math.floorMod(ctx.rank() - root, p);
        if (rel != 0) {
            int from = RingLayout.chunkStart(count, p, rel);
            ctx.send(root, work, from, RingLayout.chunkLength(count, p, rel));
            return;
        }
        for (int q = 1; q < p; q++) {
            int from = RingLayout.chunkStart(count, p, q);
            ctx.recv((q + root) % p, work, from, RingLayout.chunkLength(count, p, q));
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Ring reduce-scatter: the first half of the ring AllReduce; rank r ends with block r fully reduced.
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + (P−1)/P·n·β + (P−1)/P·n·γ.
 */
final class RingReduceScatter {
    private RingReduceScatter() {
    }

    static void reduceScatter(CollectiveContext ctx, ElementBuffer work, ReduceOp op) {
        int p = ctx.size();
        RingPipeline.run(ctx, work, 0, p - 1, p - 1, op, 0);
    }
}

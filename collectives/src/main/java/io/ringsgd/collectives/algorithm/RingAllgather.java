package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Ring all-gather: the second half of the ring AllReduce; each rank's block travels once around the ring.
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + (P−1)/P·n·β.
 */
final class RingAllgather {
    private RingAllgather() {
    }

    /** {@code recv} holds P blocks; this rank's own block is already in place. */
    static void allgather(CollectiveContext ctx, ElementBuffer recv) {
        int p = ctx.size();
        RingPipeline.run(ctx, recv, p - 1, 2 * p - 2, 0, null, 0);
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Ring all-gather with per-rank counts (MPICH's {@code allgatherv_intra_ring}): in step k each rank passes the block
 * that started k ranks to its left on to its right neighbour, so every block travels once around the ring.
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + (P−1)/P·n·β when the blocks are of similar size (the largest
 * block bounds each step).
 */
final class RingAllgatherv {
    private RingAllgatherv() {
    }

    /** {@code recv} holds rank q's block of {@code counts[q]} at {@code displs[q]}; this rank's is in place. */
    static void allgatherv(CollectiveContext ctx, ElementBuffer recv, int[] counts, int[] displs) {
        int p = ctx.size();
        int r = ctx.rank();
        int right = (r + 1) % p;
        int left = (r - 1 + p) % p;
        for (int k = 0; k < p - 1; k++) {
            int out = (r - k + p) % p;
            int in = (r - k - 1 + p) % p;
            ctx.sendrecv(right, recv, displs[out], counts[out], left, recv, displs[in], counts[in], null, false);
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Bruck's all-gather (MPICH's {@code allgather_intra_brucks}), used as the recursive-doubling all-gather because it
 * needs ⌈lg P⌉ rounds for any P, power of two or not: in round k each rank sends the blocks it has to the rank 2^k
 * below and receives as many from the rank 2^k above, then rotates the blocks into place.
 *
 * <p>Cost for n bytes in all on P ranks: ⌈lg P⌉·α + (P−1)/P·n·β, plus one local copy of n bytes.
 */
final class BruckAllgather {
    private BruckAllgather() {
    }

    /** {@code recv} holds P blocks of {@code block} elements; this rank's own block is already in place. */
    static void allgather(CollectiveContext ctx, ElementBuffer recv) {
        int p = ctx.size();
        int r = ctx.rank();
        int block = recv.count() / p;
        ElementBuffer tmp = ctx.scratch(recv.type(), recv.count(), 1);
        recv.copyTo(r * block, tmp, 0, block);
        for (int k = 1; k < p; k <<= 1) {
            int blocks = Math.min(k, p - k);
            ctx.sendrecv((r - k + p) % p, tmp, 0, blocks * block, (r + k) % p, tmp, k * block, blocks * block, null,
                    false);
        }
        for (int i = 0; i < p; i++) {
            tmp.copyTo(i * block, recv, ((r + i) % p) * block, block);
        }
    }
}

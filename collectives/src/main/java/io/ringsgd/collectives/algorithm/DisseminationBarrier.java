package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Dissemination barrier (Hensgen, Finkel and Manber; MPICH's {@code barrier_intra_dissemination}): in round k each
 * rank signals the rank 2^k above and waits for the rank 2^k below, so after ⌈lg P⌉ rounds everyone has heard,
 * directly or not, from everyone. Cost: ⌈lg P⌉·α.
 */
final class DisseminationBarrier {
    private DisseminationBarrier() {
    }

    static void barrier(CollectiveContext ctx) {
        int p = ctx.size();
        int r = ctx.rank();
        ElementBuffer none = ElementBuffer.empty();
        for (int k = 1; k < p; k <<= 1) {
            ctx.sendrecv((r + k) % p, none, 0, 0, (r - k + p) % p, none, 0, 0, null, false);
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Linear scatter with per-rank counts (MPICH's {@code scatterv_allcomm_linear}): the root posts all P − 1 sends at
 * once, each from its own place of the input; every other rank receives its block straight from the root. Also the
 * linear scatter of equal blocks.
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + n·β at the root.
 */
final class LinearScatterv {
    private LinearScatterv() {
    }

    /**
     * At the root, sends {@code counts[q]} elements of {@code send} from {@code displs[q]} to rank q (its own block is
     * the caller's to place); elsewhere receives into {@code recv}.
     */
    static void scatterv(CollectiveContext ctx, ElementBuffer send, int[] counts, int[] displs, ElementBuffer recv,
            int root) {
        int p = ctx.size();
        if (ctx.rank() != root) {
            ctx.recvCounted(root, recv, 0, recv.count());
            return;
        }
        ctx.resetSends();
        int k = 0;
        for (int q = 0; q < p; q++) {
            if (q != root) {
                ctx.transport().post(ctx.nextSend().send(q, ctx.counted(k++, counts[q]), send, displs[q], counts[q]));
            }
        }
        ctx.drainSends();
    }
}

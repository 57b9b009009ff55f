package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.transport.Message;

/**
 * Linear gather with per-rank counts (MPICH's {@code gatherv_allcomm_linear}): every rank sends its block straight to
 * the root, which posts all P − 1 receives at once, each into its own place of the result. Also the linear gather of
 * equal blocks.
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + n·β at the root (its link carries everything).
 */
final class LinearGatherv {
    private LinearGatherv() {
    }

    /**
     * At the root, receives rank q's {@code counts[q]} elements into {@code recv} at {@code displs[q]} (its own block
     * is the caller's to place); elsewhere sends {@code send}.
     */
    static void gatherv(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int[] counts, int[] displs,
            int root) {
        int p = ctx.size();
        int r = ctx.rank();
        if (r != root) {
            ctx.sendCounted(root, send, 0, send.count());
            return;
        }
        int k = 0;
        for (int q = 0; q < p; q++) {
            if (q != root) {
                ctx.transport().post(ctx.recvSlot(k).recv(q, ctx.counted(k, counts[q]), recv, displs[q], counts[q]));
                k++;
            }
        }
        for (int i = 0; i < k; i++) {
            Message m = ctx.recvSlot(i);
            ctx.transport().await(m);
        }
    }
}

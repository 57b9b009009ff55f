package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Pairwise-exchange all-to-all, with equal or per-rank counts (MPICH's {@code alltoall_intra_pairwise} and
 * {@code alltoallv_intra_pairwise_sendrecv_replace}'s schedule): in step i = 1 … P−1 each rank sends its block for
 * rank r+i and receives the block of rank r−i, so every pair exchanges directly once and no rank is hit by more
 * than one sender at a time.
 *
 * <p>Cost for n bytes sent by each rank on P ranks: (P−1)·α + (P−1)/P·n·β. The choice for long messages.
 */
final class PairwiseAlltoall {
    private PairwiseAlltoall() {
    }

    /**
     * Block q of {@code send} ({@code sendCounts[q]} elements at {@code sendDispls[q]}) goes to rank q; rank q's block
     * lands in {@code recv} ({@code recvCounts[q]} at {@code recvDispls[q]}). {@code send} and {@code recv} do not
     * overlap.
     */
    static void alltoallv(CollectiveContext ctx, ElementBuffer send, int[] sendCounts, int[] sendDispls,
            ElementBuffer recv, int[] recvCounts, int[] recvDispls) {
        int p = ctx.size();
        int r = ctx.rank();
        send.copyTo(sendDispls[r], recv, recvDispls[r], sendCounts[r]);
        for (int i = 1; i < p; i++) {
            int dst = (r + i) % p;
            int src = (r - i + p) % p;
            ctx.sendrecvCounted(dst, send, sendDispls[dst], sendCounts[dst], src, recv, recvDispls[src],
                    recvCounts[src]);
        }
    }
}

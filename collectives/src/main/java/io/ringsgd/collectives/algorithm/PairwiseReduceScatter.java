package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Pairwise-exchange reduce-scatter with per-rank counts (MPICH's {@code reduce_scatter_intra_pairwise}): in step
 * i = 1 … P−1 each rank sends the block of rank r+i and reduces the block it receives from rank r−i into its own,
 * so each block is reduced on its owner alone. Operands arrive in the order r−1, r−2, …, so the reduction must
 * commute: a built-in op (fused into the receive) or a commutative user reduction (received into scratch slot 1,
 * then combined).
 *
 * <p>Cost for n bytes in all on P ranks: (P−1)·α + (P−1)/P·n·β + (P−1)/P·n·γ when the blocks are of similar size.
 */
final class PairwiseReduceScatter {
    private PairwiseReduceScatter() {
    }

    /**
     * {@code send} holds rank q's block of {@code counts[q]} elements at {@code displs[q]}; the reduction of this
     * rank's block over all ranks ends in {@code recv}, which does not overlap {@code send}.
     */
    static void reduceScatterv(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int[] counts,
            int[] displs, OrderedOp op) {
        int p = ctx.size();
        int r = ctx.rank();
        send.copyTo(displs[r], recv, 0, counts[r]);
        ElementBuffer in = op.builtIn() != null ? null : ctx.scratch(send.type(), counts[r], 1);
        for (int i = 1; i < p; i++) {
            int dst = (r + i) % p;
            int src = (r - i + p) % p;
            if (in == null) {
                ctx.sendrecv(dst, send, displs[dst], counts[dst], src, recv, 0, counts[r], op.builtIn(), true);
            } else {
                ctx.sendrecv(dst, send, displs[dst], counts[dst], src, in, 0, counts[r], null, false);
                op.intoHigher(in, 0, recv, 0, counts[r]);
            }
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.UserReduction;

/**
 * Ring AllReduce for a commutative {@link UserReduction}: a pairwise reduce-scatter of P nearly equal blocks (each
 * reduced on its owner alone, operands in the order the ring brings them, which a commutative reduction allows) and a
 * ring all-gather of the reduced blocks, so every rank ends with the owner's bits. The reduction is a Java function,
 * so no transport fuses it into a receive: each incoming block lands in scratch first.
 *
 * <p>Cost for n bytes on P ranks: 2(P−1)·α + 2(P−1)/P·n·β + (P−1)/P·n·γ, plus n bytes copied locally (the input,
 * which the reduce-scatter reads while the result is written). The choice for long vectors.
 */
public final class CommutativeRingAllreduce {
    private CommutativeRingAllreduce() {
    }

    /**
     * Reduces every rank's {@code send} (null: {@code data} holds this rank's operand) into every rank's
     * {@code data}; {@code op} must be commutative.
     */
    public static void allreduce(CollectiveContext ctx, ElementBuffer send, ElementBuffer data, UserReduction op) {
        if (!op.isCommutative()) {
            throw new IllegalArgumentException("the ring reorders operands: '" + op.name() + "' is not commutative");
        }
        int p = ctx.size();
        int n = data.count();
        ElementBuffer input = ctx.scratch(data.type(), n, 0);
        (send == null ? data : send).copyTo(0, input, 0, n);
        int[] counts = new int[p];
        int[] displs = new int[p];
        for (int q = 0; q < p; q++) {
            displs[q] = (int) ((long) n * q / p);
            counts[q] = (int) ((long) n * (q + 1) / p) - displs[q];
        }
        int r = ctx.rank();
        PairwiseReduceScatter.reduceScatterv(ctx, input, data.slice(displs[r], counts[r]), counts, displs,
                OrderedOp.of(op));
        RingAllgatherv.allgatherv(ctx, data, counts, displs);
    }
}

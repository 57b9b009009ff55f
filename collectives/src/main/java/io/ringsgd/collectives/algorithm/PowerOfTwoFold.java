package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * MPICH's treatment of group sizes that are not a power of two, shared by recursive doubling and Rabenseifner: the
 * first {@code 2·rem} ranks pair up (rem = P − pof2), each even rank hands its vector to the odd rank above it and sits
 * out, so that pof2 ranks run the power-of-two algorithm; afterwards the odd ranks hand the result back.
 * Cost: one extra α + nβ + nγ before and α + nβ after, on the folded ranks only.
 */
final class PowerOfTwoFold {
    final int pof2;
    final int rem;

    PowerOfTwoFold(int size) {
        this.pof2 = Integer.highestOneBit(size);
        this.rem = size - pof2;
    }

    /** Folds the extra ranks in; returns this rank's index among the pof2 active ranks, or -1 if it sits out. */
    int foldIn(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        return foldIn(ctx, data, OrderedOp.of(op));
    }

    /**
     * As above for any reduction: the even rank's operand first, so the folded ranks stay in rank order. A built-in
     * op is fused into the receive; a user reduction receives into scratch slot 1 first.
     */
    int foldIn(CollectiveContext ctx, ElementBuffer data, OrderedOp op) {
        int rank = ctx.rank();
        int n = data.count();
        if (rank < 2 * rem) {
            if (rank % 2 == 0) {
                ctx.send(rank + 1, data, 0, n);
                return -1;
            }
            if (op.builtIn() != null) {
                ctx.recvReduce(rank - 1, data, 0, n, op.builtIn(), true);
            } else {
                ElementBuffer lower = ctx.scratch(data.type(), n, 1);
                ctx.recv(rank - 1, lower, 0, n);
                op.intoHigher(lower, 0, data, 0, n);
            }
            return rank / 2;
        }
        return rank - rem;
    }

    /** The real rank of active index {@code newRank}. */
    int realRank(int newRank) {
        return newRank < rem ? newRank * 2 + 1 : newRank + rem;
    }

    /** Hands the result back to the ranks that sat out. */
    void foldOut(CollectiveContext ctx, ElementBuffer data) {
        int rank = ctx.rank();
        if (rank < 2 * rem) {
            if (rank % 2 == 1) {
                ctx.send(rank - 1, data, 0, data.count());
            } else {
                ctx.recv(rank + 1, data, 0, data.count());
            }
        }
    }
}

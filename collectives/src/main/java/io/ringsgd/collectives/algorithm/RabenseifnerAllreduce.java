package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Rabenseifner's AllReduce (MPICH's {@code allreduce_intra_reduce_scatter_allgather}): a recursive-halving
 * reduce-scatter (each round exchanges half of the remaining range with the partner 2^k away and reduces the kept
 * half) followed by a recursive-doubling all-gather that retraces the rounds. The vector is split into pof2 blocks
 * whose sizes differ by at most one element; non-power-of-two sizes fold the extra ranks in first.
 *
 * <p>Cost for n bytes on P = pof2 ranks: 2·lg P·α + 2·(P−1)/P·n·β + (P−1)/P·n·γ. Bandwidth-optimal like the ring
 * with only 2·lg P message rounds: the choice for medium and long vectors on large groups.
 */
public final class RabenseifnerAllreduce implements AllreduceAlgorithm {

    @Override
    public Algorithm id() {
        return Algorithm.RABENSEIFNER;
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        if (ctx.size() == 1) {
            return;
        }
        PowerOfTwoFold fold = new PowerOfTwoFold(ctx.size());
        int newRank = fold.foldIn(ctx, data, op);
        if (newRank >= 0) {
            halveThenDouble(ctx, fold, newRank, data, op);
        }
        fold.foldOut(ctx, data);
    }

    private static void halveThenDouble(CollectiveContext ctx, PowerOfTwoFold fold, int newRank, ElementBuffer data,
            ReduceOp op) {
        int pof2 = fold.pof2;
        int count = data.count();
        int rank = ctx.rank();
        // Block i of the pof2 blocks is [disp(i), disp(i+1)).
        int sendIdx = 0;
        int recvIdx = 0;
        int lastIdx = pof2;
        int mask = 1;
        while (mask < pof2) {
            int dst = fold.realRank(newRank ^ mask);
            int sendFrom;
            int sendTo;
            int recvFrom;
            int recvTo;
            if (newRank < (newRank ^ mask)) {
                sendIdx = recvIdx + pof2 / (mask * 2);
                sendFrom = sendIdx;
                sendTo = lastIdx;
                recvFrom = recvIdx;
                recvTo = sendIdx;
            } else {
                recvIdx = sendIdx + pof2 / (mask * 2);
                sendFrom = sendIdx;
                sendTo = recvIdx;
                recvFrom = recvIdx;
                recvTo = lastIdx;
            }
            int so = disp(count, pof2, sendFrom);
            int ro = disp(count, pof2, recvFrom);
            // Sent and kept halves are disjoint, so the received half is reduced straight into place.
            ctx.sendrecv(dst, data, so, disp(count, pof2, sendTo) - so, dst, data, ro,
                    disp(count, pof2, recvTo) - ro, op, dst < rank);
            sendIdx = recvIdx;
            mask <<= 1;
            if (mask < pof2) {
                lastIdx = recvIdx + pof2 / mask;
            }
        }
        mask >>= 1;
        while (mask > 0) {
            int newDst = newRank ^ mask;
            int dst = fold.realRank(newDst);
            int sendFrom;
            int sendTo;
            int recvFrom;
            int recvTo;
            if (newRank < newDst) {
                if (mask != pof2 / 2) {
                    lastIdx = lastIdx + pof2 / (mask * 2);
                }
                recvIdx = sendIdx + pof2 / (mask * 2);
                sendFrom = sendIdx;
                sendTo = recvIdx;
                recvFrom = recvIdx;
                recvTo = lastIdx;
            } else {
                recvIdx = sendIdx - pof2 / (mask * 2);
                sendFrom = sendIdx;
                sendTo = lastIdx;
                recvFrom = recvIdx;
                recvTo = sendIdx;
            }
            int so = disp(count, pof2, sendFrom);
            int ro = disp(count, pof2, recvFrom);
            ctx.sendrecv(dst, data, so, disp(count, pof2, sendTo) - so, dst, data, ro,
                    disp(count, pof2, recvTo) - ro, null, false);
            if (newRank > newDst) {
                sendIdx = recvIdx;
            }
            mask >>= 1;
        }
    }

    /** Start of block {@code i} of {@code count} elements split into {@code blocks} blocks ({@code i = blocks}: end). */
    private static int disp(int count, int blocks, int i) {
        return RingLayout.chunkStart(count, blocks, i);
    }
}

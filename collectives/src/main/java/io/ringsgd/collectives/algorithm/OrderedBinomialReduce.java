package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.UserReduction;

/**
 * Binomial-tree reduce that keeps the ranks' order, for user reductions that need not commute (MPICH's
 * {@code reduce_intra_binomial} with a non-commutative op): the tree is built on the ranks themselves, not relative
 * to the root, so rank r combines its block [r, r + 2^k) with the next block [r + 2^k, r + 2^(k+1)) always in that
 * order; the result reaches rank 0, which hands it on to the root if that is another rank.
 *
 * <p>Cost for n bytes on P ranks: ⌈lg P⌉·(α + n·β + n·γ), plus α + n·β when the root is not rank 0.
 */
public final class OrderedBinomialReduce {
    private OrderedBinomialReduce() {
    }

    /**
     * Reduces every rank's {@code send} with {@code op} in rank order into the root's {@code recv} (null elsewhere).
     * {@code send} is only read.
     */
    public static void reduce(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, UserReduction op,
            int root) {
        int p = ctx.size();
        int r = ctx.rank();
        int n = send.count();
        ElementBuffer acc = r == 0 && recv != null ? recv : ctx.scratch(send.type(), n, 0);
        ElementBuffer tmp = ctx.scratch(send.type(), n, 1);
        if (!send.sameRegion(acc)) {
            send.copyTo(0, acc, 0, n);
        }
        for (int mask = 1; mask < p; mask <<= 1) {
            if ((r & mask) != 0) {
                ctx.send(r - mask, acc, 0, n);
                break;
            }
            if (r + mask < p) {
                ctx.recv(r + mask, tmp, 0, n);
                // tmp = acc ∘ tmp (lower ranks first); then the two buffers swap roles.
                op.function().apply(acc, 0, tmp, 0, n);
                ElementBuffer t = acc;
                acc = tmp;
                tmp = t;
            }
        }
        if (r == 0) {
            if (root == 0) {
                if (acc != recv) {
                    acc.copyTo(0, recv, 0, n);
                }
            } else {
                ctx.send(root, acc, 0, n);
            }
        } else if (r == root) {
            ctx.recv(0, recv, 0, n);
        }
    }
}

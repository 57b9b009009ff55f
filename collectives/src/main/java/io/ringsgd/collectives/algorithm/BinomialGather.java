package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Binomial-tree gather (MPICH's {@code gather_intra_binomial}): the rank at relative position q collects the blocks
 * of its subtree [q, q + lowbit(q)) from its children, smallest subtree first, and sends them to its parent in one
 * message, so the root receives ⌈lg P⌉ messages instead of P − 1.
 *
 * <p>Cost for blocks of n bytes on P ranks: ⌈lg P⌉·α + (P−1)·n·β (at the root).
 */
final class BinomialGather {
    private BinomialGather() {
    }

    /**
     * Gathers every rank's {@code send} (n elements) into the root's {@code recv} (P·n, rank order); {@code recv} is
     * null elsewhere. Works in scratch in relative order, or in {@code recv} itself when the root is rank 0.
     */
    static void gather(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int root) {
        int p = ctx.size();
        int n = send.count();
        int rel = Math.floorMod(ctx.rank() - root, p);
        ElementBuffer work = root == 0 && rel == 0 ? recv : ctx.scratch(send.type(), p * n, 0);
        send.copyTo(0, work, rel * n, n);
        gather(ctx, work, n, root);
        if (rel == 0 && work != recv) {
            for (int q = 0; q < p; q++) {
                work.copyTo(q * n, recv, ((q + root) % p) * n, n);
            }
        }
    }

    /**
     * {@code work} holds P blocks of {@code block} elements in relative order (block q belongs to rank
     * {@code (q + root) mod P}); this rank's own block is in place at its relative position. On return the root's
     * {@code work} holds every block; other ranks' {@code work} holds their subtree's.
     */
    static void gather(CollectiveContext ctx, ElementBuffer work, int block, int root) {
        int p = ctx.size();
        int rel = Math.floorMod(ctx.rank() - root, p);
        for (int mask = 1; mask < p; mask <<= 1) {
            if ((rel & mask) != 0) {
                int end = Math.min(rel + mask, p);
                ctx.send((rel - mask + root) % p, work, rel * block, (end - rel) * block);
                return;
            }
            int child = rel + mask;
            if (child < p) {
                int end = Math.min(child + mask, p);
                ctx.recv((child + root) % p, work, child * block, (end - child) * block);
            }
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Binomial-tree scatter of P chunks from a root (the first half of MPICH's scatter-allgather broadcast): the rank at
 * relative position q receives chunks [q, q + lowbit(q)) once and forwards the upper parts to its subtree, so every
 * rank ends holding chunk {@code rel} of the P chunks of {@link RingLayout#chunkStart}.
 *
 * <p>Cost for n bytes on P ranks: ⌈lg P⌉·α + (P−1)/P·n·β.
 */
final class BinomialScatter {
    private BinomialScatter() {
    }

    /**
     * Scatters the root's {@code send} (P blocks of {@code recv.count()} elements, rank order) so that block q ends in
     * rank q's {@code recv}; {@code send} is only read and null except at the root. Works in scratch in relative
     * order, or reads {@code send} itself when the root is rank 0.
     */
    static void scatterBlocks(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int root) {
        int p = ctx.size();
        int n = recv.count();
        int rel = Math.floorMod(ctx.rank() - root, p);
        ElementBuffer work = root == 0 && rel == 0 ? send : ctx.scratch(recv.type(), p * n, 0);
        if (rel == 0 && work != send) {
            for (int q = 0; q < p; q++) {
                send.copyTo(((q + root) % p) * n, work, q * n, n);
            }
        }
        scatter(ctx, work, root);
        if (!work.sameRegion(recv)) {
            work.copyTo(rel * n, recv, 0, n);
        }
    }

    static void scatter(CollectiveContext ctx, ElementBuffer data, int root) {
        int p = ctx.size();
        int count = data.count();
        int rel = Math.floorMod(ctx.rank() - root, p);
        int mask = 1;
        while (mask < p) {
            if ((rel & mask) != 0) {
                int from = RingLayout.chunkStart(count, p, rel);
                int to = RingLayout.chunkStart(count, p, Math.min(rel + mask, p));
                ctx.recv(((rel - mask) + root) % p, data, from, to - from);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (rel + mask < p) {
                int from = RingLayout.chunkStart(count, p, rel + mask);
                int to = RingLayout.chunkStart(count, p, Math.min(rel + 2 * mask, p));
                ctx.send(((rel + mask) + root) % p, data, from, to - from);
            }
            mask >>= 1;
        }
    }
}

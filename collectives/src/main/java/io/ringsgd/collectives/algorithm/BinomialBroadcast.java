package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Binomial-tree broadcast (MPICH's {@code bcast_intra_binomial}): each rank receives once from the rank that differs
 * in its lowest set relative bit, then forwards to the ranks below that bit.
 *
 * <p>Cost for n bytes on P ranks: ⌈lg P⌉·(α + n·β). Short vectors.
 */
final class BinomialBroadcast {
    private BinomialBroadcast() {
    }

    static void broadcast(CollectiveContext ctx, ElementBuffer data, int root) {
        int p = ctx.size();
        int rel = Math.floorMod(ctx.rank() - root, p);
        int n = data.count();
        int mask = 1;
        while (mask < p) {
            if ((rel & mask) != 0) {
                ctx.recv(((rel - mask) + root) % p, data, 0, n);
                break;
            }
            mask <<= 1;
        }
        mask >>= 1;
        while (mask > 0) {
            if (rel + mask < p) {
                ctx.send(((rel + mask) + root) % p, data, 0, n);
            }
            mask >>= 1;
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Recursive-doubling inclusive and exclusive scan (MPICH's {@code scan_intra_recursive_doubling} and
 * {@code exscan_intra_recursive_doubling}): in round k each rank exchanges the reduction of its aligned block of 2^k
 * ranks with the rank 2^k away; what comes from below is folded into both the running block and the result, what
 * comes from above only into the block. Operands are always combined lower ranks first, so the rank order of the
 * reduction is kept, and user reductions that do not commute are right.
 *
 * <p>Cost for n bytes on P ranks: ⌈lg P⌉·(α + n·β + 2n·γ).
 */
public final class RecursiveDoublingScan {
    private RecursiveDoublingScan() {
    }

    /**
     * Leaves in {@code recv} the reduction of ranks 0..r's {@code send} (inclusive) or 0..r−1's (exclusive; rank 0's
     * {@code recv} is then left as it was). {@code send} is only read and does not overlap {@code recv}, except that
     * an inclusive scan may be in place (the same elements).
     */
    public static void scan(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, OrderedOp op,
            boolean exclusive) {
        int p = ctx.size();
        int r = ctx.rank();
        int n = send.count();
        ElementBuffer partial = ctx.scratch(send.type(), n, 0);
        ElementBuffer tmp = ctx.scratch(send.type(), n, 1);
        send.copyTo(0, partial, 0, n);
        if (!exclusive && !send.sameRegion(recv)) {
            send.copyTo(0, recv, 0, n);
        }
        boolean haveLower = !exclusive;
        for (int mask = 1; mask < p; mask <<= 1) {
            int peer = r ^ mask;
            if (peer >= p) {
                continue;
            }
            ctx.sendrecv(peer, partial, 0, n, peer, tmp, 0, n, null, false);
            if (peer < r) {
                op.intoHigher(tmp, 0, partial, 0, n);
                if (haveLower) {
                    op.intoHigher(tmp, 0, recv, 0, n);
                } else {
                    tmp.copyTo(0, recv, 0, n);
                    haveLower = true;
                }
            } else {
                op.intoLower(partial, 0, tmp, 0, n);
            }
        }
    }
}

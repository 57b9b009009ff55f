package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Bruck's all-to-all (MPICH's {@code alltoall_intra_brucks}): rotate the blocks so that block i is the one for rank
 * r+i, then in round k send every block whose index has bit k set to rank r+2^k (packed in one message) and take
 * as many from rank r−2^k into the same places; after ⌈lg P⌉ rounds block i holds what rank r−i sent, and a last
 * rotation puts it in place.
 *
 * <p>Cost for n bytes sent by each rank on P ranks: ⌈lg P⌉·α + ⌈lg P⌉·n/2·β, plus about 2(1 + ⌈lg P⌉/2)·n bytes of
 * local copies. Fewer rounds than pairwise exchange at the price of moving each byte about lg P / 2 times: the
 * choice for short messages.
 */
final class BruckAlltoall {
    private BruckAlltoall() {
    }

    /** {@code send} and {@code recv} hold P blocks of {@code block} elements and do not overlap. */
    static void alltoall(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int block) {
        int p = ctx.size();
        int r = ctx.rank();
        ElementBuffer tmp = ctx.scratch(send.type(), p * block, 0);
        ElementBuffer pack = ctx.scratch(send.type(), p * block, 1);
        for (int i = 0; i < p; i++) {
            send.copyTo(((r + i) % p) * block, tmp, i * block, block);
        }
        for (int bit = 1; bit < p; bit <<= 1) {
            int k = 0;
            for (int i = bit; i < p; i++) {
                if ((i & bit) != 0) {
                    tmp.copyTo(i * block, pack, k++ * block, block);
                }
            }
            // recv is free until the last step: it stages the incoming pack.
            ctx.sendrecv((r + bit) % p, pack, 0, k * block, (r - bit + p) % p, recv, 0, k * block, null, false);
            k = 0;
            for (int i = bit; i < p; i++) {
                if ((i & bit) != 0) {
                    recv.copyTo(k++ * block, tmp, i * block, block);
                }
            }
        }
        for (int i = 0; i < p; i++) {
            tmp.copyTo(i * block, recv, ((r - i + p) % p) * block, block);
        }
    }
}

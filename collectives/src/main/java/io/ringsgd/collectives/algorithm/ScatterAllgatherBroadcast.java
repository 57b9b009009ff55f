package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;

/**
 * Van de Geijn's broadcast for long vectors (MPICH's {@code bcast_intra_scatter_ring_allgather}): a binomial scatter
 * of P chunks from the root, then a ring all-gather of the chunks.
 *
 * <p>Cost for n bytes on P ranks: (⌈lg P⌉ + P − 1)·α + 2·(P−1)/P·n·β, against ⌈lg P⌉·n·β for the binomial tree.
 */
final class ScatterAllgatherBroadcast {
    private ScatterAllgatherBroadcast() {
    }

    static void broadcast(CollectiveContext ctx, ElementBuffer data, int root) {
        int p = ctx.size();
        BinomialScatter.scatter(ctx, data, root);
        // The root has every chunk and only sends; what the all-gather brings back to it lands in scratch when its
        // buffer is read-only.
        ElementBuffer sink = ctx.rank() == root && !data.isWritable() ? ctx.scratch(data.type(), data.count(), 1)
                : data;
        RingPipeline.run(ctx, null, data, sink, p - 1, 2 * p - 2, 0, null, root);
    }
}

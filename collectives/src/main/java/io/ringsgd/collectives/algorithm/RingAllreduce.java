package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Segmented ring AllReduce (Patarasuk and Yuan; Gloo's and NCCL's ring): a reduce-scatter around the ring leaves each
 * rank with one fully reduced chunk, an all-gather around the ring hands every chunk to everyone. Each chunk is
 * reduced along one fixed path and then copied, so all ranks end bit-identical.
 *
 * <p>Cost for n bytes on P ranks: 2(P−1)·α + 2·(P−1)/P·n·β + (P−1)/P·n·γ. Bandwidth-optimal; the latency term grows
 * with P, so short vectors go to recursive doubling instead. Segments of at most
 * {@link CollectiveContext#segmentBytes()} add per-segment latency but let forwarding overlap reduction.
 */
public final class RingAllreduce implements AllreduceAlgorithm {

    @Override
    public Algorithm id() {
        return Algorithm.RING;
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        int p = ctx.size();
        RingPipeline.run(ctx, data, 0, 2 * p - 2, p - 1, op, 0);
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer send, ElementBuffer data, ReduceOp op) {
        int p = ctx.size();
        RingPipeline.run(ctx, send == null || send.sameRegion(data) ? null : send, data, 0, 2 * p - 2, p - 1, op,
                0);
    }
}

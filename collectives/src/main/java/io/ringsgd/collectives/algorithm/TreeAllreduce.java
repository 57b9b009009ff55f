package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Binomial-tree AllReduce: a binomial reduce to rank 0 followed by a binomial broadcast from it. One rank computes the
 * result and everyone copies it, so all ranks end bit-identical.
 *
 * <p>Cost for n bytes on P ranks: 2·⌈lg P⌉·α + 2·⌈lg P⌉·n·β + ⌈lg P⌉·n·γ. Simple and latency-friendly but it moves
 * the whole vector on every edge; kept as the reference and for small groups.
 */
public final class TreeAllreduce implements AllreduceAlgorithm {

    @Override
    public Algorithm id() {
        return Algorithm.TREE;
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        BinomialReduce.reduceInPlace(ctx, data, op, 0);
        BinomialBroadcast.broadcast(ctx, data, 0);
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import java.util.EnumMap;
import java.util.Map;

/**
 * Runs a collective with a resolved (non-AUTO, non-NATIVE) algorithm: the one place that maps an {@link Algorithm}
 * to its implementation for each collective.
 */
public final class CollectiveAlgorithms {
    private final Map<Algorithm, AllreduceAlgorithm> allreduce = new EnumMap<>(Algorithm.class);

    public CollectiveAlgorithms() {
        for (AllreduceAlgorithm a : new AllreduceAlgorithm[] {new RingAllreduce(), new RecursiveDoublingAllreduce(),
                new RabenseifnerAllreduce(), new TreeAllreduce()}) {
            allreduce.put(a.id(), a);
        }
    }

    /** AllReduce of {@code send} into {@code data} ({@code send} null: in place). */
    public void allreduce(CollectiveContext ctx, Algorithm algorithm, ElementBuffer send, ElementBuffer data,
            ReduceOp op) {
        AllreduceAlgorithm a = allreduce.get(algorithm);
        if (a == null) {
            throw new IllegalArgumentException("allreduce has no " + algorithm.cliName() + " algorithm");
        }
        a.allreduce(ctx, send, data, op);
    }

    /** Broadcast of {@code data} from {@code root}. */
    public void broadcast(CollectiveContext ctx, Algorithm algorithm, ElementBuffer data, int root) {
        if (algorithm == Algorithm.RING) {
            ScatterAllgatherBroadcast.broadcast(ctx, data, root);
        } else {
            BinomialBroadcast.broadcast(ctx, data, root);
        }
    }

    /** Reduce: {@code work} holds this rank's contribution, is clobbered, and at the root ends holding the result. */
    public void reduce(CollectiveContext ctx, Algorithm algorithm, ElementBuffer work, ReduceOp op, int root) {
        if (algorithm == Algorithm.RING) {
            RingReduce.reduce(ctx, work, op, root);
        } else {
            BinomialReduce.reduceInPlace(ctx, work, op, root);
        }
    }

    /** Reduce-scatter: {@code work} holds P blocks and is clobbered; block r ends reduced on rank r. */
    public void reduceScatter(CollectiveContext ctx, Algorithm algorithm, ElementBuffer work, ReduceOp op) {
        if (algorithm == Algorithm.RING) {
            RingReduceScatter.reduceScatter(ctx, work, op);
        } else {
            TreeReduceScatter.reduceScatter(ctx, work, op);
        }
    }

    /** All-gather: {@code recv} holds P blocks, this rank's already in place. */
    public void allgather(CollectiveContext ctx, Algorithm algorithm, ElementBuffer recv) {
        if (algorithm == Algorithm.RING) {
            RingAllgather.allgather(ctx, recv);
        } else {
            BruckAllgather.allgather(ctx, recv);
        }
    }

    /** Barrier. */
    public void barrier(CollectiveContext ctx) {
        DisseminationBarrier.barrier(ctx);
    }
}

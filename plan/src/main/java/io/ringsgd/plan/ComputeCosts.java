package io.ringsgd.plan;

import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.cost.CostModel;
import java.util.Map;

/**
 * The per-iteration costs of a model besides the AllReduce, as a compute probe measures them on a machine (the probe
 * lives with the models it trains, in ringsgd-pipesgd): seconds per iteration of compute with {@code ranks} threads in
 * lock step (every rank waits for the others after each iteration, as in synchronous SGD) and free-running (nobody
 * waits, as in local steps); seconds per element of a vector pass and of error feedback (per compression), with
 * {@code ranks} threads in lock step; seconds per element of the codecs (per compression), one thread's time times
 * the ranks per core.
 */
public record ComputeCosts(double computeSeconds, double freeRunningComputeSeconds, double passSeconds,
        Map<Compression, Double> feedbackSeconds, Map<Compression, CostModel.CodecCost> codecs, int ranks,
        long parameters, String model) {
    public ComputeCosts {
        feedbackSeconds = Map.copyOf(feedbackSeconds);
        codecs = Map.copyOf(codecs);
    }

    /** {@code cost} with these codec times. */
    public CostModel withCodecs(CostModel cost) {
        CostModel m = cost;
        for (Map.Entry<Compression, CostModel.CodecCost> e : codecs.entrySet()) {
            m = m.withCodec(e.getKey(), e.getValue());
        }
        return m;
    }
}

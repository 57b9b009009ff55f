package io.ringsgd.plan;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostFit;
import io.ringsgd.plan.cost.CostModel;
import io.ringsgd.plan.probe.LoadProbe;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the timing model is computed from, measured on this machine or taken from the defaults: host α, β, γ (fitted
 * to AllReduce measurements), codec, vector-pass and error-feedback costs, wake-up delays, and the model's compute
 * time. Shared by {@code ringsgd plan} and the experiment, which predicts each trainer's iteration time from it.
 */
public record PlanInputs(CostModel host, CostFit.Result fit, double computeSeconds, ComputeCosts probe,
        LoadProbe.Result load, double idleWakeup, double loadedWakeup, double passSeconds,
        Map<Compression, Double> feedback) {

    /**
     * Host costs used without measuring: fitted on the build machine (in-JVM transport, 4 ranks on 2 cores).
     * Measure your own.
     */
    static final double DEFAULT_ALPHA = 8e-6;
    static final double DEFAULT_BETA = 0.0;
    static final double DEFAULT_GAMMA = 0.37e-9;
    /** Codec, vector-pass and error-feedback times per element without measuring (build machine). */
    static final CostModel.CodecCost DEFAULT_FP16 = new CostModel.CodecCost(12e-9, 5e-9);
    static final CostModel.CodecCost DEFAULT_INT8 = new CostModel.CodecCost(5e-9, 1.3e-9);
    static final CostModel.CodecCost DEFAULT_TWO_BIT = new CostModel.CodecCost(6e-9, 1.5e-9);
    static final CostModel.CodecCost DEFAULT_ONE_BIT = new CostModel.CodecCost(2.5e-9, 1.5e-9);
    static final CostModel.CodecCost DEFAULT_TERNARY = new CostModel.CodecCost(6e-9, 0.5e-9);
    static final double DEFAULT_PASS = 0.6e-9;
    static final double DEFAULT_FEEDBACK_FP16 = 17e-9;
    static final double DEFAULT_FEEDBACK_INT8 = 9e-9;
    /** Wake-up delays without measuring (build machine): idle, and while every rank computes. */
    static final double DEFAULT_IDLE_WAKEUP = 0.1e-3;
    static final double DEFAULT_LOADED_WAKEUP = 1.5e-3;
    /** Message sizes of the host fit: 8 bytes to 4 MiB, every factor of 8. */
    public static final List<Long> FIT_SIZES = List.of(8L, 64L, 512L, 4096L, 32768L, 262144L, 1048576L, 4194304L);

    /** Host, codec and wake-up costs when nothing is measured. */
    public static PlanInputs defaults(int segmentBytes) {
        CostModel host = defaultHost(segmentBytes).withCodec(Compression.FP16, DEFAULT_FP16)
                .withCodec(Compression.INT8, DEFAULT_INT8).withCodec(Compression.TWO_BIT, DEFAULT_TWO_BIT)
                .withCodec(Compression.ONE_BIT, DEFAULT_ONE_BIT).withCodec(Compression.TERNARY, DEFAULT_TERNARY);
        Map<Compression, Double> fb = new EnumMap<>(Compression.class);
        fb.put(Compression.FP16, DEFAULT_FEEDBACK_FP16);
        // Feeding back is the same pass (add the residual, zero it) whatever dropped it.
        for (Compression c : List.of(Compression.INT8, Compression.TWO_BIT, Compression.ONE_BIT,
                Compression.TERNARY)) {
            fb.put(c, DEFAULT_FEEDBACK_INT8);
        }
        return new PlanInputs(host, null, 0, null, null, DEFAULT_IDLE_WAKEUP, DEFAULT_LOADED_WAKEUP, DEFAULT_PASS,
                fb);
    }

    /**
     * The inputs measured on this machine: the host fit ({@link CostFit#fit} of AllReduce times over
     * {@link #FIT_SIZES}; null with one rank, which measures none: then the default α, β, γ), the compute probe's
     * costs, and the wake-up delays (null with one rank: none).
     */
    public static PlanInputs measured(CostFit.Result fit, ComputeCosts probe, LoadProbe.Result load,
            int segmentBytes) {
        if (probe == null) {
            throw new IllegalArgumentException("no compute costs: run the compute probe first");
        }
        CostModel host = fit != null ? fit.model() : defaultHost(segmentBytes);
        return new PlanInputs(probe.withCodecs(host), fit, probe.computeSeconds(), probe, load,
                load != null ? load.idleWakeupSeconds() : 0, load != null ? load.loadedWakeupSeconds() : 0,
                probe.passSeconds(), probe.feedbackSeconds());
    }

    private static CostModel defaultHost(int segmentBytes) {
        return CostModel.of(DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_GAMMA).withSegmentBytes(segmentBytes);
    }

    /**
     * The iteration-time model of {@code ranks} ranks training a model of {@code parameters} parameters whose
     * iteration computes for {@code computeSeconds} (one rank, while all compute), over {@code link} (null: the
     * in-JVM transport alone), on {@code cores} cores.
     */
    public IterationModel model(LinkModel link, int ranks, long parameters, double computeSeconds, int cores) {
        IterationModel.Builder b = IterationModel.builder().cost(host.withLink(link)).ranks(ranks)
                .parameters(parameters).computeSeconds(computeSeconds).cores(cores).passSeconds(passSeconds)
                .wakeup(idleWakeup, loadedWakeup);
        if (probe != null && probe.computeSeconds() > 0) {
            // Free-running ranks (never waiting for each other) in the measured proportion to lock-step ones.
            b.freeRunningComputeSeconds(computeSeconds * probe.freeRunningComputeSeconds() / probe.computeSeconds());
        }
        feedback.forEach(b::feedbackSeconds);
        return b.build();
    }
}

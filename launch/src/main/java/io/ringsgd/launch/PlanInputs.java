package io.ringsgd.launch;

import io.ringsgd.cocod.plan.ComputeProbe;
import io.ringsgd.cocod.plan.IterationModel;
import io.ringsgd.cocod.plan.LoadProbe;
import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.algorithm.CostFit;
import io.ringsgd.collectives.algorithm.CostModel;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.model.ModelFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the timing model is computed from, measured on this machine or taken from the defaults: host α, β, γ (fitted
 * to AllReduce measurements), codec, vector-pass and error-feedback costs, wake-up delays, and the model's compute
 * time. Shared by {@code ringsgd plan} and the experiment, which predicts each trainer's iteration time from it.
 */
public record PlanInputs(CostModel host, CostFit.Result fit, double computeSeconds, ComputeProbe.Result probe,
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
    static final double DEFAULT_PASS = 0.6e-9;
    static final double DEFAULT_FEEDBACK_FP16 = 17e-9;
    static final double DEFAULT_FEEDBACK_INT8 = 9e-9;
    /** Wake-up delays without measuring (build machine): idle, and while every rank computes. */
    static final double DEFAULT_IDLE_WAKEUP = 0.1e-3;
    static final double DEFAULT_LOADED_WAKEUP = 1.5e-3;
    /** Message sizes of the fit: 8 bytes to 4 MiB, every factor of 8. */
    static final List<Long> FIT_SIZES = List.of(8L, 64L, 512L, 4096L, 32768L, 262144L, 1048576L, 4194304L);

    /** Host, codec and wake-up costs when nothing is measured. */
    public static PlanInputs defaults(int segmentBytes) {
        CostModel host = CostModel.of(DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_GAMMA).withSegmentBytes(segmentBytes)
                .withCodec(Compression.FP16, DEFAULT_FP16).withCodec(Compression.INT8, DEFAULT_INT8);
        Map<Compression, Double> fb = new EnumMap<>(Compression.class);
        fb.put(Compression.FP16, DEFAULT_FEEDBACK_FP16);
        fb.put(Compression.INT8, DEFAULT_FEEDBACK_INT8);
        return new PlanInputs(host, null, 0, null, null, DEFAULT_IDLE_WAKEUP, DEFAULT_LOADED_WAKEUP, DEFAULT_PASS,
                fb);
    }

    /**
     * Measures on this machine: AllReduce times of every algorithm over {@link #FIT_SIZES} on {@code ranks} in-JVM
     * ranks (the fastest of the timed iterations of each: the cost without interference from other processes; the
     * interference of the job's own threads is modelled separately) fitted to α, β, γ; the wake-up delays; compute,
     * codec, vector-pass and error-feedback times of the model trained on {@code train} with {@code batch} per rank.
     */
    public static PlanInputs measure(ModelFactory factory, Dataset train, int ranks, int batch, int segmentBytes,
            Duration budget, Consumer<String> progress) {
        CostFit.Result fit = null;
        CostModel host;
        LoadProbe.Result load = null;
        if (ranks >= 2) {
            progress.accept(String.format(Locale.ROOT, "# measuring allreduce on %d local ranks (%d algorithms x %d"
                    + " sizes) ...", ranks, CostModel.ALGORITHMS.size(), FIT_SIZES.size()));
            fit = fitHost(ranks, segmentBytes);
            host = fit.model();
            progress.accept("# measuring wake-up delays (idle and while computing) ...");
            load = LoadProbe.measure(ranks, 15);
        } else {
            host = CostModel.of(DEFAULT_ALPHA, DEFAULT_BETA, DEFAULT_GAMMA).withSegmentBytes(segmentBytes);
        }
        progress.accept(String.format(Locale.ROOT, "# measuring compute, codecs and vector passes (%d ranks at once,"
                + " %.0f s) ...", ranks, budget.toMillis() / 1000.0));
        ComputeProbe.Result probe = ComputeProbe.measure(factory, train, batch, ranks, budget);
        return new PlanInputs(probe.withCodecs(host), fit, probe.computeSeconds(), probe, load,
                load != null ? load.idleWakeupSeconds() : 0, load != null ? load.loadedWakeupSeconds() : 0,
                probe.passSeconds(), probe.feedbackSeconds());
    }

    /**
     * Runs the AllReduce benchmark engine on {@code ranks} in-JVM ranks for every algorithm over {@link #FIT_SIZES}
     * and fits α, β, γ to the fastest time of each size.
     */
    static CostFit.Result fitHost(int ranks, int segmentBytes) {
        CommunicatorConfig cfg = CommunicatorConfig.fromSystemProperties().toBuilder().link(null)
                .segmentBytes(segmentBytes).build();
        List<AllreduceBench.Result> results = Jobs.run(Jobs.Transport.LOCAL, ranks, cfg, c -> {
            List<AllreduceBench.Result> all = new ArrayList<>();
            for (Algorithm a : CostModel.ALGORITHMS) {
                all.addAll(AllreduceBench.run(c, FIT_SIZES, a, CollectiveOptions.DEFAULT, ElementType.FLOAT, 20,
                        5));
            }
            return all;
        });
        List<CostFit.Sample> samples = new ArrayList<>();
        for (AllreduceBench.Result r : results) {
            if (!r.correct()) {
                throw new IllegalStateException("the allreduce benchmark computed a wrong sum (" + r.algorithm()
                        + ", " + r.bytes() + " bytes): the transport is broken, not the plan");
            }
            samples.add(new CostFit.Sample(Algorithm.parse(r.algorithm()), ranks, r.bytes(), r.minUs() * 1e-6));
        }
        return CostFit.fit(samples, segmentBytes);
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

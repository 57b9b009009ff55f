package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.probe.ComputeProbe;
import io.ringsgd.plan.ComputeCosts;
import io.ringsgd.plan.PlanInputs;
import io.ringsgd.plan.cost.CostFit;
import io.ringsgd.plan.cost.CostModel;
import io.ringsgd.plan.probe.LoadProbe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * Measures the {@link PlanInputs} on this machine, for {@code ringsgd plan --measure} and the experiment. It lives here
 * because it drives what only this module sees together: the AllReduce benchmark engine (for the host fit), the
 * plan's load probe and the training framework's compute probe.
 */
public final class PlanMeasurement {
    private PlanMeasurement() {
    }

    /**
     * Measures on this machine: AllReduce times of every algorithm over {@link PlanInputs#FIT_SIZES} on {@code ranks}
     * in-JVM ranks (the fastest of the timed iterations of each: the cost without interference from other processes;
     * the interference of the job's own threads is modelled separately) fitted to α, β, γ; the wake-up delays;
     * compute, codec, vector-pass and error-feedback times of the model trained on {@code train} with {@code batch}
     * per rank. Reports each step to {@code progress}.
     */
    public static PlanInputs measure(ModelFactory factory, Dataset train, int ranks, int batch, int segmentBytes,
            Duration budget, Consumer<String> progress) {
        CostFit.Result fit = null;
        LoadProbe.Result load = null;
        if (ranks >= 2) {
            progress.accept(String.format(Locale.ROOT, "# measuring allreduce on %d local ranks (%d algorithms x %d"
                    + " sizes) ...", ranks, CostModel.ALGORITHMS.size(), PlanInputs.FIT_SIZES.size()));
            fit = fitHost(ranks, segmentBytes);
            progress.accept("# measuring wake-up delays (idle and while computing) ...");
            load = LoadProbe.measure(ranks, 15);
        }
        progress.accept(String.format(Locale.ROOT, "# measuring compute, codecs and vector passes (%d ranks at once,"
                + " %.0f s) ...", ranks, budget.toMillis() / 1000.0));
        ComputeCosts probe = ComputeProbe.measure(factory, train, batch, ranks, budget);
        return PlanInputs.measured(fit, probe, load, segmentBytes);
    }

    /**
     * Runs the AllReduce benchmark engine on {@code ranks} in-JVM ranks for every algorithm over
     * {@link PlanInputs#FIT_SIZES} and fits α, β, γ to the fastest time of each size.
     */
    static CostFit.Result fitHost(int ranks, int segmentBytes) {
        CommunicatorConfig cfg = CommunicatorConfig.fromSystemProperties().toBuilder().link(null)
                .segmentBytes(segmentBytes).build();
        List<AllreduceBench.Result> results = Jobs.run(Jobs.Transport.LOCAL, ranks, cfg, c -> {
            List<AllreduceBench.Result> all = new ArrayList<>();
            for (Algorithm a : CostModel.ALGORITHMS) {
                all.addAll(AllreduceBench.run(c, PlanInputs.FIT_SIZES, a, CollectiveOptions.DEFAULT,
                        ElementType.FLOAT, 20, 5));
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
}

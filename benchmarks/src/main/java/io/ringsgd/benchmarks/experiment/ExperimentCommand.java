package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.launch.DataOptions;
import io.ringsgd.launch.LinkOptions;
import io.ringsgd.launch.ModelOptions;
import io.ringsgd.launch.PlanMeasurement;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.PlanInputs;
import io.ringsgd.plan.cost.CostModel;
import io.ringsgd.plan.probe.LinkCalibration;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code ringsgd experiment}: the trainers side by side on the same data, seed and emulated link, each measured and
 * predicted by the timing model. The link is given, or derived from a communication-to-computation ratio R: the
 * command measures one iteration's compute time C and picks the bandwidth at which one synchronous AllReduce of the
 * gradient takes R·C (at R = 1 the ideal speedup of width 2 is 2x; compression pays off when R > 1).
 */
@Command(name = "experiment", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Run sync, Pipe-SGD and CoCoD-SGD side by side over an emulated link and report iteration"
                + " time (measured and predicted), time to a target accuracy, speedup over sync and final accuracy"
                + " (results.csv, results.md, accuracy.png in --out).",
        footer = {"", "Examples:", "  ringsgd experiment --workers 4 --comm-ratio 3 --epochs 3 --out runs/r3",
            "  ringsgd experiment --workers 4 --net-latency 200us --net-bandwidth 1gbit --epochs 1"})
public final class ExperimentCommand implements Callable<Integer> {
    /** The link latency at which --comm-ratio picks the bandwidth when --net-latency is not given. */
    static final String RATIO_LATENCY = "100us";

    @Option(names = "--workers", defaultValue = "4", description = "Workers (threads, default ${DEFAULT-VALUE}).")
    int workers;

    @Option(names = "--comm-ratio", description = "R: pick the link bandwidth so that one synchronous AllReduce of"
            + " the gradient takes R times one iteration's compute (default 1 without --net-bandwidth).")
    Double commRatio;

    /**
     * The link: --net-bandwidth (with --net-latency) fixes it; otherwise the bandwidth comes from --comm-ratio at
     * --net-latency (default {@value #RATIO_LATENCY}).
     */
    @Mixin
    LinkOptions link;

    @Option(names = "--epochs", defaultValue = "3", description = "Epochs per trainer (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--trainers", defaultValue = "sync,pipe2,pipe2-int8,cocod2,cocod4",
            description = "Trainers to compare (default ${DEFAULT-VALUE}); sync is the baseline and must be there.")
    String trainers;

    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = "--batch", defaultValue = "16", description = "Mini-batch per worker (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--seed", defaultValue = "1", description = "Seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--evals-per-epoch", defaultValue = "4", description = "Test evaluations per epoch (default"
            + " ${DEFAULT-VALUE}).")
    int evalsPerEpoch;

    @Option(names = "--target", description = "Target test accuracy for time-to-target, in %% (default: sync's"
            + " final accuracy minus 1 point).")
    Double target;

    @Option(names = "--probe-seconds", defaultValue = "10", description = "Time spent measuring compute and codec"
            + " costs before the runs (default ${DEFAULT-VALUE}).")
    double probeSeconds;

    @Option(names = "--max-iterations", hidden = true, description = "Stop each run after N iterations (tests).")
    long maxIterations;

    @Option(names = "--out", description = "Output directory (default runs/experiment-<time>).")
    Path out;

    @Override
    public Integer call() {
        if (workers < 1 || epochs < 1 || evalsPerEpoch < 1 || batch < 1) {
            throw new IllegalArgumentException("--workers, --epochs, --batch and --evals-per-epoch must be at least 1");
        }
        if (commRatio != null && !(commRatio > 0)) {
            throw new IllegalArgumentException("--comm-ratio must be positive, got " + commRatio);
        }
        if (link.bandwidth() != null && commRatio != null) {
            throw new IllegalArgumentException("give either --comm-ratio or --net-bandwidth (with --net-latency), not"
                    + " both: the ratio picks the bandwidth");
        }
        LinkModel fixed = link.bandwidth() != null ? link.link() : null;
        List<ExperimentArm> arms = new ArrayList<>();
        for (String t : trainers.split(",")) {
            arms.add(ExperimentArm.parse(t));
        }
        if (arms.stream().noneMatch(ExperimentArm::baseline)) {
            throw new IllegalArgumentException("--trainers must include sync: it is the baseline of every ratio");
        }
        Path dir = out != null ? out : Paths.get("runs", "experiment-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainConfig.checkWritableDirectory(dir, "--out");
        DataSpec spec = data.spec();
        spec.check();
        TrainTestData d = DataSets.load(spec);
        ModelFactory factory = model.factory();
        long n = factory.create(d.train().featureCount(), d.train().classCount()).parameterCount();
        int segment = CommunicatorConfig.fromSystemProperties().segmentBytes();
        System.out.printf(Locale.ROOT, "# experiment: %d workers, %s, %s, %d epochs, batch %d per worker, seed %d%n",
                workers, factory.create(d.train().featureCount(), d.train().classCount()).describe(),
                d.description(), epochs, batch, seed);
        PlanInputs in = PlanMeasurement.measure(factory, d.train(), workers, batch, segment,
                Duration.ofMillis((long) (probeSeconds * 1000)), System.out::println);
        // One iteration's compute: all ranks computing at once (lock step), as in synchronous training, where the
        // AllReduce starts when the last rank is done.
        double compute = in.computeSeconds();
        LinkModel link;
        double ratio;
        long bytes = n * CostModel.ELEMENT_BYTES;
        if (fixed != null) {
            link = fixed;
        } else {
            ratio = commRatio != null ? commRatio : 1.0;
            System.out.printf(Locale.ROOT, "# choosing the link: one AllReduce of the gradient should take %.2f x"
                    + " %.3f ms%n", ratio, compute * 1e3);
            String latency = this.link.latency() != null ? this.link.latency() : RATIO_LATENCY;
            link = LinkCalibration.measuredLinkFor(in.host(), Units.parseDuration(latency), workers, n,
                    ratio * compute, System.out::println);
        }
        double allreduce = LinkCalibration.allreduceSeconds(workers, (int) n, link, 20);
        System.out.printf(Locale.ROOT, "# compute %.3f ms per iteration; link %s: one synchronous AllReduce of %s"
                + " takes %.3f ms (measured), R = %.2f%n", compute * 1e3, link, Units.formatBytes(bytes) + "B",
                allreduce * 1e3, allreduce / compute);
        ratio = allreduce / compute;
        IterationModel im = in.model(link, workers, n, compute, Runtime.getRuntime().availableProcessors());
        int perEpoch = Shard.smallestSize(d.train().size(), workers) / batch;
        long evalEvery = Math.max(1, perEpoch / evalsPerEpoch);
        List<ExperimentResult> results = new ArrayList<>();
        CommunicatorConfig comm = CommunicatorConfig.fromSystemProperties().toBuilder().link(link).build();
        for (ExperimentArm arm : arms) {
            TrainConfig.Builder b = TrainConfig.builder().trainer(arm.trainer()).workers(workers).model(model.name())
                    .hidden(model.hidden()).data(spec).epochs(epochs).batch(batch).seed(seed)
                    .compression(arm.compression()).evalEvery(evalEvery).maxIterations(maxIterations);
            // A spec's settings are its trainer's options --width and --local-steps.
            if (arm.spec().width() > 0) {
                b.option("width", Integer.toString(arm.spec().width()));
            }
            if (arm.spec().localSteps() > 0) {
                b.option("local-steps", Integer.toString(arm.spec().localSteps()));
            }
            TrainConfig cfg = b.build();
            System.out.printf(Locale.ROOT, "# running %s ...%n", arm.name());
            TrainResult r = Communicators.runLocal(workers, comm,
                    c -> Trainers.create(cfg.trainer()).train(c, cfg, TrainingListener.NONE)).get(0);
            double predicted = im.predict(arm.spec()).iterationMillis();
            results.add(new ExperimentResult(arm, r, predicted));
            System.out.printf(Locale.ROOT, "  %-12s %8.2f ms/iteration (predicted %.2f), final accuracy %.2f %%,"
                    + " %.1f s%n", arm.name(), r.meanIterationMs(), predicted, 100 * r.finalTestAccuracy(),
                    r.trainSeconds());
        }
        double sync = results.stream().filter(r -> r.arm().baseline()).findFirst().orElseThrow()
                .finalAccuracy();
        double t = target != null ? target / 100 : sync - 0.01;
        ExperimentReport report = new ExperimentReport(results, t, ratio, link, compute * 1e3);
        report.writeCsv(dir.resolve("results.csv"));
        report.writeMarkdown(dir.resolve("results.md"));
        report.writePlot(dir.resolve("accuracy.png"));
        System.out.println();
        System.out.print(report.markdown());
        System.out.println();
        System.out.println("wrote " + dir.resolve("results.csv") + ", " + dir.resolve("results.md") + ", "
                + dir.resolve("accuracy.png"));
        return 0;
    }
}

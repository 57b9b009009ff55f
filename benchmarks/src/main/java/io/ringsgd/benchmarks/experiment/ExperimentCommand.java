package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.benchmarks.cluster.NetCluster;
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

    @Option(names = "--trainers", defaultValue = DEFAULT_TRAINERS,
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

    @Option(names = "--seeds", split = ",", description = "Run every arm once per seed (e.g. 1,2); the report gives"
            + " each seed's table and the mean over seeds (default: --seed).")
    List<Long> seeds;

    @Option(names = "--cluster", description = "Run every arm as one process per emulated host (network namespaces"
            + " with their own shaped link and CPU budget; needs root), the link rate chosen so that one AllReduce of"
            + " the gradient takes R x one iteration's compute, both measured on the cluster.")
    boolean cluster;

    @Option(names = "--cpus", description = "With --cluster: each host's CPU budget in CPUs (default: this machine's"
            + " cores / workers, at most 1).")
    String cpus;

    @Option(names = "--out", description = "Output directory (default runs/experiment-<time>).")
    Path out;

    @Option(names = "--stragglers", description = "Instead: sync, cocod, ebsp and async (or --trainers) side by side"
            + " with the last rank a straggler (threads of one JVM, no emulated link): samples per second, the fast"
            + " ranks' waiting time, final accuracy and time to the target (stragglers.md, stragglers.csv).")
    boolean stragglers;

    @Option(names = "--straggler-factor", defaultValue = "2", description = "With --stragglers: how many times as"
            + " long the straggler's compute takes (default ${DEFAULT-VALUE}).")
    double stragglerFactor;

    /** Runs one arm with one seed and says what it measured. */
    private interface Runner {
        ExperimentResult run(ExperimentArm arm, TrainConfig cfg, List<String> trainArgs, double predictedMs);
    }

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
        if (cluster && workers < 2) {
            throw new IllegalArgumentException("--cluster needs at least 2 workers (hosts)");
        }
        if (cpus != null && !cluster) {
            throw new IllegalArgumentException("--cpus is the CPU budget of each emulated host: it needs --cluster");
        }
        if (stragglers) {
            return stragglers();
        }
        LinkModel fixed = link.bandwidth() != null ? link.link() : null;
        List<ExperimentArm> arms = new ArrayList<>();
        for (String t : trainers.split(",")) {
            arms.add(ExperimentArm.parse(t));
        }
        if (arms.stream().noneMatch(ExperimentArm::baseline)) {
            throw new IllegalArgumentException("--trainers must include sync: it is the baseline of every ratio");
        }
        List<Long> seedList = seeds == null || seeds.isEmpty() ? List.of(seed) : seeds;
        Path dir = out != null ? out : Paths.get("runs", "experiment-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainConfig.checkWritableDirectory(dir, "--out");
        if (cluster) {
            String why = NetCluster.whyNot();
            if (why != null) {
                throw new IllegalArgumentException("--cluster needs emulated hosts, which cannot be made here: " + why);
            }
        }
        DataSpec spec = data.spec();
        spec.check();
        TrainTestData d = DataSets.load(spec);
        ModelFactory factory = model.factory();
        long n = factory.create(d.train().featureCount(), d.train().classCount()).parameterCount();
        long bytes = n * CostModel.ELEMENT_BYTES;
        int segment = CommunicatorConfig.fromSystemProperties().segmentBytes();
        System.out.printf(Locale.ROOT, "# experiment: %d workers%s, %s, %s, %d epochs, batch %d per worker, seeds %s%n",
                workers, cluster ? " (one process per emulated host)" : " (threads of one JVM)",
                factory.create(d.train().featureCount(), d.train().classCount()).describe(), d.description(),
                epochs, batch, seedList);
        PlanInputs in = PlanMeasurement.measure(factory, d.train(), workers, batch, segment,
                Duration.ofMillis((long) (probeSeconds * 1000)), System.out::println);
        int perEpoch = Shard.smallestSize(d.train().size(), workers) / batch;
        long evalEvery = Math.max(1, perEpoch / evalsPerEpoch);
        if (cluster) {
            List<String> extra = cpus == null ? List.of() : List.of("--cpus", cpus);
            try (NetCluster c = NetCluster.up("ex" + ProcessHandle.current().pid(), workers, "10gbit", extra)) {
                ClusterRuns runs = new ClusterRuns(c, System.out::println);
                // One iteration's compute, every host computing at once, measured alone: sync over a fast link.
                runs.train(List.of("--trainer", "sync", "--model", model.name(),
                        "--hidden", TrainConfig.join(model.hidden()), "--data", data.text(), "--batch",
                        Integer.toString(batch), "--seed", Long.toString(seedList.get(0)), "--epochs",
                        Integer.toString(epochs), "--max-iterations", Long.toString(CALIBRATION_ITERATIONS)),
                        dir.resolve("calibration"));
                double compute = ClusterRuns.steadyComputeMs(dir.resolve("calibration").resolve("metrics.csv")) / 1e3;
                System.out.printf(Locale.ROOT, "# compute alone on the cluster: %.3f ms per iteration%n",
                        compute * 1e3);
                double bps;
                if (fixed != null) {
                    bps = fixed.bytesPerSecond() * 8;
                    c.rate(ClusterRuns.rate(bps));
                } else {
                    double r = commRatio != null ? commRatio : 1.0;
                    System.out.printf(Locale.ROOT, "# choosing the link: one AllReduce of the gradient should take"
                            + " %.2f x %.3f ms%n", r, compute * 1e3);
                    bps = runs.linkFor(bytes, r * compute * 1e3);
                }
                double allreduce = runs.allreduceMs(bytes, 30) / 1e3;
                LinkModel l = new LinkModel(Duration.ofNanos(CLUSTER_LATENCY_NANOS), bps / 8);
                double budget = c.cpuBudget();
                IterationModel im = in.model(l, workers, n, compute, 1);
                Runner runner = (arm, cfg, args, predicted) -> {
                    Path armDir = dir.resolve("seed-" + cfg.seed()).resolve(arm.name());
                    ClusterRuns.Summary s = runs.train(args, armDir);
                    double use = budget > 0 ? s.cpuSeconds() / (workers * budget * s.elapsedSeconds()) : 0;
                    return new ExperimentResult(arm, s.meanIterationMs(), s.computeMs(), s.waitMs(),
                            s.finalAccuracy(), s.evaluations(), predicted, use >= CPU_BOUND ? "CPU" : "link");
                };
                report(arms, seedList, runner, im, evalEvery, l, compute, allreduce / compute, dir);
            }
        } else {
            double compute = in.computeSeconds();
            LinkModel l;
            if (fixed != null) {
                l = fixed;
            } else {
                double ratio = commRatio != null ? commRatio : 1.0;
                System.out.printf(Locale.ROOT, "# choosing the link: one AllReduce of the gradient should take %.2f x"
                        + " %.3f ms%n", ratio, compute * 1e3);
                String latency = this.link.latency() != null ? this.link.latency() : RATIO_LATENCY;
                l = LinkCalibration.measuredLinkFor(in.host(), Units.parseDuration(latency), workers, n,
                        ratio * compute, System.out::println);
            }
            double allreduce = LinkCalibration.allreduceSeconds(workers, (int) n, l, 20);
            IterationModel im = in.model(l, workers, n, compute, Runtime.getRuntime().availableProcessors());
            CommunicatorConfig comm = CommunicatorConfig.fromSystemProperties().toBuilder().link(l).build();
            Runner runner = (arm, cfg, args, predicted) -> ExperimentResult.of(arm, Communicators.runLocal(workers,
                    comm, c -> Trainers.create(cfg.trainer()).train(c, cfg, TrainingListener.NONE)).get(0), predicted);
            report(arms, seedList, runner, im, evalEvery, l, compute, allreduce / compute, dir);
        }
        return 0;
    }

    /** {@code --stragglers}: the trainers side by side with one slow rank, threads of one JVM. */
    private int stragglers() {
        if (cluster || link.bandwidth() != null || commRatio != null) {
            throw new IllegalArgumentException("--stragglers runs threads of one JVM without an emulated link: drop"
                    + " --cluster, --net-bandwidth and --comm-ratio");
        }
        if (workers < 2) {
            throw new IllegalArgumentException("--stragglers needs at least 2 workers, got --workers " + workers);
        }
        String list = trainers.equals(DEFAULT_TRAINERS) ? "sync,cocod,ebsp,async" : trainers;
        List<String> names = List.of(list.split(","));
        if (!names.get(0).equals("sync")) {
            throw new IllegalArgumentException("--trainers must start with sync, the baseline: e.g. --trainers"
                    + " sync,ebsp");
        }
        Path dir = out != null ? out : Paths.get("runs", "stragglers-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        TrainConfig.checkWritableDirectory(dir, "--out");
        DataSpec spec = data.spec();
        spec.check();
        TrainTestData d = DataSets.load(spec);
        int perEpoch = Shard.smallestSize(d.train().size(), workers) / batch;
        TrainConfig base = TrainConfig.builder().workers(workers).model(model.name()).hidden(model.hidden())
                .data(spec).epochs(epochs).batch(batch).seed(seed)
                .evalEvery(Math.max(1, perEpoch / evalsPerEpoch)).maxIterations(maxIterations).build();
        StragglerExperiment.run(base, names, stragglerFactor, target == null ? Double.NaN : target / 100, dir,
                System.out::println);
        return 0;
    }

    /** The default of --trainers. */
    static final String DEFAULT_TRAINERS = "sync,pipe2,pipe2-int8,cocod2,cocod4";

    /** Iterations of the cluster's compute calibration (sync over a fast link). */
    static final long CALIBRATION_ITERATIONS = 400;
    /** Latency the timing model charges per message on the emulated cluster (the kernel's, no added delay). */
    static final long CLUSTER_LATENCY_NANOS = 60_000;
    /** Share of the hosts' CPU budget above which a run counts as CPU-bound. */
    static final double CPU_BOUND = 0.85;

    /** Runs every arm with every seed and writes the reports: one per seed, and the mean over seeds. */
    private void report(List<ExperimentArm> arms, List<Long> seedList, Runner runner, IterationModel im,
            long evalEvery, LinkModel l, double compute, double ratio, Path dir) {
        System.out.printf(Locale.ROOT, "# compute %.3f ms per iteration; link %s: one synchronous AllReduce of the"
                + " gradient takes %.3f ms (measured), R = %.2f%n", compute * 1e3, l, ratio * compute * 1e3, ratio);
        List<ExperimentReport> reports = new ArrayList<>();
        for (long s : seedList) {
            List<ExperimentResult> results = new ArrayList<>();
            for (ExperimentArm arm : arms) {
                TrainConfig cfg = config(arm, s, evalEvery);
                double predicted = im.predict(arm.spec()).iterationMillis();
                System.out.printf(Locale.ROOT, "# running %s, seed %d ...%n", arm.name(), s);
                ExperimentResult r = runner.run(arm, cfg, trainArgs(arm, s, evalEvery), predicted);
                results.add(r);
                System.out.printf(Locale.ROOT, "  %-12s %8.2f ms/iteration (predicted %.2f; compute %.2f, waiting"
                        + " %.2f)%s, final accuracy %.2f %%%n", arm.name(), r.meanIterationMs(), predicted,
                        r.computeMs(), r.waitMs(), r.bound().isEmpty() ? "" : ", " + r.bound() + "-bound",
                        100 * r.finalAccuracy());
            }
            double sync = results.stream().filter(r -> r.arm().baseline()).findFirst().orElseThrow()
                    .finalAccuracy();
            double t = target != null ? target / 100 : sync - 0.01;
            reports.add(new ExperimentReport(results, t, ratio, l, compute * 1e3));
        }
        Path first = dir;
        for (int i = 0; i < reports.size(); i++) {
            Path d = seedList.size() == 1 ? dir : dir.resolve("seed-" + seedList.get(i));
            writeReport(reports.get(i), d);
            if (i == 0) {
                first = d;
            }
        }
        if (seedList.size() > 1) {
            String mean = ExperimentReport.meanOverSeeds(reports, seedList);
            write(dir.resolve("results.md"), mean);
            System.out.println();
            System.out.print(mean);
        }
        System.out.println("wrote the results under " + dir + (seedList.size() > 1 ? " (per seed in " + first.getParent()
                + "/seed-*)" : ""));
    }

    private static void writeReport(ExperimentReport report, Path d) {
        try {
            java.nio.file.Files.createDirectories(d);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot create " + d + ": " + e.getMessage());
        }
        report.writeCsv(d.resolve("results.csv"));
        report.writeMarkdown(d.resolve("results.md"));
        report.writePlot(d.resolve("accuracy.png"));
        System.out.println();
        System.out.print(report.markdown());
        System.out.println();
    }

    private static void write(Path file, String text) {
        try {
            java.nio.file.Files.writeString(file, text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write " + file + ": " + e.getMessage());
        }
    }

    /** The configuration of {@code arm} with seed {@code s}: the in-JVM run's, and what the CLI arguments say. */
    private TrainConfig config(ExperimentArm arm, long s, long evalEvery) {
        TrainConfig.Builder b = TrainConfig.builder().trainer(arm.trainer()).workers(workers).model(model.name())
                .hidden(model.hidden()).data(data.spec()).epochs(epochs).batch(batch).seed(s)
                .compression(arm.compression()).evalEvery(evalEvery).maxIterations(maxIterations);
        // A spec's settings are its trainer's options --width and --local-steps.
        if (arm.spec().width() > 0) {
            b.option("width", Integer.toString(arm.spec().width()));
        }
        if (arm.spec().localSteps() > 0) {
            b.option("local-steps", Integer.toString(arm.spec().localSteps()));
        }
        return b.build();
    }

    /** The {@code train} options of {@code arm} with seed {@code s} (the cluster's runs). */
    private List<String> trainArgs(ExperimentArm arm, long s, long evalEvery) {
        List<String> a = new ArrayList<>(List.of("--trainer", arm.trainer(), "--model", model.name(), "--hidden",
                TrainConfig.join(model.hidden()), "--data", data.text(), "--epochs", Integer.toString(epochs),
                "--batch", Integer.toString(batch), "--seed", Long.toString(s), "--compress",
                arm.compression().cliName(), "--eval-every", Long.toString(evalEvery)));
        if (arm.spec().width() > 0) {
            a.addAll(List.of("--option", "width=" + arm.spec().width()));
        }
        if (arm.spec().localSteps() > 0) {
            a.addAll(List.of("--option", "local-steps=" + arm.spec().localSteps()));
        }
        if (maxIterations > 0) {
            a.addAll(List.of("--max-iterations", Long.toString(maxIterations)));
        }
        return a;
    }
}

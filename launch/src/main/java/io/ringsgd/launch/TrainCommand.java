package io.ringsgd.launch;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.trace.Traces;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.dp.DpSettings;
import io.ringsgd.pipesgd.metrics.MetricsRecorder;
import io.ringsgd.pipesgd.metrics.SummaryJson;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Unmatched;

/**
 * {@code ringsgd train}: data-parallel training with one of the trainers (sync, pipe, cocod) on N workers: threads of
 * this JVM ({@code --transport local}), processes over TCP (under {@code ringsgd run}) or an MPJ Express job (under
 * {@code ringsgd-mpjrun}). Every option is checked before any work starts; rank 0 shows progress and writes the
 * metrics CSV, the plot and the JSON summary.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false, modelTransformer = TrainerFlags.class,
        description = "Train a model data-parallel with Pipe-SGD (pipeline width K), synchronous SGD (K = 1) or"
                + " CoCoD-SGD (local steps while the model average is in flight). Each trainer has its own options"
                + " and defaults: see Trainers below.",
        footer = {"", "Examples:",
            "  ringsgd train --trainer pipe --width 2 --workers 4 --model mlp --data fashion-mnist --epochs 3",
            "  ringsgd train --trainer sync --workers 4 --model cnn --data fashion-mnist --epochs 5",
            "  ringsgd train --trainer cocod --local-steps 4 --compress int8 --net-latency 200us --net-bandwidth 1gbit",
            "  ringsgd run -np 4 -- train --transport tcp --trainer pipe --width 2"})
final class TrainCommand implements Callable<Integer> {

    @Option(names = "--trainer", defaultValue = TrainConfig.DEFAULT_TRAINER, description = "The trainer, one of those"
            + " listed under Trainers below (default ${DEFAULT-VALUE}).")
    String trainer;

    @Option(names = "--workers", description = "Workers (threads with --transport local; the job's size otherwise)."
            + " Default 4 locally.")
    Integer workers;

    @Option(names = "--transport", description = "local, tcp or mpj (default: tcp under 'ringsgd run', mpj under"
            + " ringsgd-mpjrun, else local).")
    String transport;

    @Mixin
    ModelOptions model;

    @Mixin
    DataOptions data;

    @Option(names = "--epochs", description = "Epochs (default 3).")
    Integer epochs;

    @Option(names = "--batch", description = "Mini-batch per worker (default 16).")
    Integer batch;

    @Option(names = "--lr", description = "Learning rate (default: the trainer's, see Trainers below).")
    Double lr;

    @Option(names = "--momentum", description = "Momentum (default: the trainer's, see Trainers below).")
    Double momentum;

    @Option(names = "--nesterov", description = "Nesterov momentum.")
    Boolean nesterov;

    @Option(names = "--weight-decay", description = "L2 weight decay (default 1e-4).")
    Double weightDecay;

    @Option(names = "--schedule", description = "Learning-rate schedule after warm-up: constant, step or cosine"
            + " (default cosine).")
    String schedule;

    @Option(names = "--warmup-epochs", description = "Linear learning-rate warm-up, in epochs (default 0).")
    Double warmupEpochs;

    @Option(names = "--compress", description = "AllReduce traffic compression: none, fp16, int8 (the compressed"
            + " ring), 2bit, 1bit or ternary (the encoded all-gather), with error feedback (default none).")
    String compress;

    @Option(names = "--ternary-threshold", description = "With --compress ternary: send the elements above this many"
            + " times their bucket's mean magnitude (default 2.5; larger sends fewer bytes).")
    Float ternaryThreshold;

    @Option(names = "--error-feedback", description = "on (default) or off: whether what compression drops is added"
            + " to the next gradient (off only to measure what error feedback buys).")
    String errorFeedback;

    @Option(names = "--seed", description = "Seed of initialization, shuffling and synthetic data (default 1).")
    Long seed;

    @Option(names = "--eval-every", description = "Also evaluate every N iterations (default: each epoch only).")
    Long evalEvery;

    @Option(names = "--checkpoint-dir", description = "Directory for checkpoints.")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", description = "Checkpoint every N iterations (and at the end).")
    Long checkpointEvery;

    @Option(names = "--resume", description = "Continue from the newest checkpoint in --checkpoint-dir.")
    boolean resume;

    @Option(names = "--resume-override", description = "With --resume: continue even where --lr, --momentum,"
            + " --nesterov, --weight-decay, --schedule, --warmup-epochs, --step-epochs, --step-factor or --epochs"
            + " differ from the checkpoint's (without it such a resume is refused).")
    boolean resumeOverride;

    @Option(names = "--out", description = "Directory for metrics.csv, metrics.png and summary.json (default"
            + " runs/<trainer>-<time>).")
    Path out;

    @Option(names = "--metrics", description = "Metrics CSV file (default <out>/metrics.csv).")
    Path metrics;

    @Option(names = "--plot", description = "PNG plot of loss and test accuracy against time (default"
            + " <out>/metrics.png).")
    Path plot;

    @Option(names = "--summary", description = "JSON summary (default <out>/summary.json).")
    Path summary;

    @Mixin
    LinkOptions link;

    @Option(names = "--option", paramLabel = "KEY=VALUE", description = "An option of the trainer, repeatable (any"
            + " of those listed under Trainers below, e.g. cocod.weighted=true).")
    Map<String, String> options = new LinkedHashMap<>();

    /** The trainers' own flags ({@code --width 2}, {@code --local-steps 4}), read by {@link TrainerFlags#parse}. */
    @Unmatched
    List<String> trainerFlags = new ArrayList<>();

    @Option(names = "--np", hidden = true, description = "Alias of --workers.")
    Integer np;

    @Option(names = "--device", description = "Where to compute: auto (CUDA if a CUDA device works, else the CPU;"
            + " it says which), cpu, cuda, or host-device (diagnostic: the device code path on the Java host device,"
            + " slower than cpu). Default auto.")
    String device;

    @Option(names = "--quiet", description = "No progress output.")
    boolean quiet;

    @Option(names = "--straggler", paramLabel = "RANK:FACTOR", description = "Make one rank a straggler: its"
            + " gradient computations take FACTOR times as long (after computing it waits, without using the CPU,"
            + " FACTOR-1 times the compute time it measured). For experiments with workers of unequal speed; every"
            + " trainer; CPU only.")
    String straggler;

    @Option(names = "--max-iterations", hidden = true, description = "Stop after N iterations (experiments, tests).")
    Long maxIterations;

    @Option(names = "--trace", paramLabel = "FILE", description = "Write a timeline of every rank (iterations"
            + " computing and waiting, collectives, each message sent and received) to FILE in the Chrome"
            + " trace-event format: open it in https://ui.perfetto.dev or chrome://tracing.")
    Path trace;

    @Override
    public Integer call() {
        Jobs.Transport t = Jobs.Transport.resolve(transport);
        Integer n = workers != null ? workers : np;
        if (t == Jobs.Transport.TCP && Jobs.inTcpJob()) {
            int size = Integer.parseInt(System.getenv("WORLD_SIZE").trim());
            if (n != null && n != size) {
                throw new IllegalArgumentException("--workers " + n + " but the job has WORLD_SIZE=" + size
                        + " ranks: drop --workers or start " + n + " ranks");
            }
            n = size;
        }
        if (t == Jobs.Transport.MPJ) {
            int size = MpjBridge.worldSize();
            if (n != null && n != size) {
                throw new IllegalArgumentException("--workers " + n + " but the MPJ job has " + size
                        + " ranks: drop --workers or start " + n + " ranks with ringsgd-mpjrun -np " + n);
            }
            n = size;
        }
        TrainConfig cfg = config(n == null ? 4 : n);
        Trainer trainerImpl = Trainers.create(cfg.trainer());
        trainerImpl.validate(cfg);
        String label = trainerImpl.label(cfg);
        boolean rankZeroHere = t == Jobs.Transport.LOCAL || rankFromEnvironment(t) == 0;
        Path outDir = out != null ? out : Paths.get("runs", cfg.trainer() + "-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Path csv = metrics != null ? metrics : outDir.resolve("metrics.csv");
        Path png = plot != null ? plot : outDir.resolve("metrics.png");
        Path json = summary != null ? summary : outDir.resolve("summary.json");
        if (rankZeroHere) {
            checkOutput(csv, metrics != null ? "--metrics" : "--out");
            checkOutput(png, plot != null ? "--plot" : "--out");
            checkOutput(json, summary != null ? "--summary" : "--out");
        }
        cfg.checkEnvironment();
        Tracer tracer = trace == null ? Tracer.OFF : Tracer.withCapacity(TRACE_CAPACITY);
        CommunicatorConfig comm = communicatorConfig().toBuilder().tracer(tracer).build();
        MetricsRecorder recorder = new MetricsRecorder();
        Progress progress = new Progress(quiet, System.err, label);
        DpSettings dp = DpSettings.of(cfg);
        if (dp != null) {
            int trainSize = DataSets.load(cfg.data().spec()).train().size();
            progress.withNote(dp.progressNote(DpSettings.samplingRate(cfg, trainSize,
                    trainerImpl.shards(cfg.workers()))));
        }
        Outcome outcome = Jobs.run(t, cfg.workers(), comm, c -> {
            TrainingListener l = c.rank() == 0 ? TrainingListener.all(recorder, progress) : TrainingListener.NONE;
            if (tracer.on()) {
                Traces.start(c, tracer);
            }
            TrainResult r = trainerImpl.train(c, cfg, l);
            if (tracer.on()) {
                writeTrace(c, tracer, trace, cfg.trainer());
            }
            return new Outcome(r, differingRanks(c, r.paramsSha256()));
        });
        if (outcome == null) {
            return 0;
        }
        TrainResult result = outcome.result();
        if (!outcome.differing().isEmpty()) {
            throw new io.ringsgd.collectives.CollectiveException("the ranks ended with different parameters (rank 0: "
                    + result.paramsSha256() + "; " + outcome.differing() + "): this is a bug, please report it");
        }
        recorder.writeCsv(csv);
        recorder.writePlot(png, label + ", " + cfg.workers() + " workers");
        SummaryJson.write(result, json);
        printSummary(result, label, comm, csv, png, json);
        return 0;
    }

    /** Spans a traced process keeps (56 bytes each): an MLP epoch of 4 ranks takes about 60 000. */
    static final int TRACE_CAPACITY = 2_000_000;

    /** Every rank: gathers the timeline at rank 0, which writes it and says where. */
    static void writeTrace(Communicator c, Tracer tracer, Path file, String label) {
        try {
            Traces.gatherAndWrite(c, tracer, file, label);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("cannot write the trace " + file + ": " + e.getMessage());
        }
        if (c.rank() == 0) {
            System.err.println("ringsgd: wrote the timeline " + file + (tracer.dropped() > 0 ? " (" + tracer.dropped()
                    + " spans beyond its capacity were dropped)" : "") + ": open it in https://ui.perfetto.dev");
        }
    }

    /** The directory of output file {@code f} must be writable; {@code flag} is the option that named it. */
    private static void checkOutput(Path f, String flag) {
        Path parent = f.toAbsolutePath().getParent();
        TrainConfig.checkWritableDirectory(parent, flag + " (for " + f.getFileName() + ")");
    }

    private TrainConfig config(int n) {
        TrainConfig.Builder b = TrainConfig.builder().trainer(trainer).workers(n).model(model.name())
                .hidden(model.hidden()).data(data.spec());
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (batch != null) {
            b.batch(batch);
        }
        if (lr != null) {
            b.lr(lr);
        }
        if (momentum != null) {
            b.momentum(momentum);
        }
        if (nesterov != null) {
            b.nesterov(nesterov);
        }
        if (weightDecay != null) {
            b.weightDecay(weightDecay);
        }
        if (schedule != null) {
            b.schedule(schedule);
        }
        if (warmupEpochs != null) {
            b.warmupEpochs(warmupEpochs);
        }
        if (compress != null) {
            b.compression(compress);
        }
        if (ternaryThreshold != null) {
            b.ternaryThreshold(ternaryThreshold);
        }
        if (errorFeedback != null) {
            b.errorFeedback(errorFeedback);
        }
        if (seed != null) {
            b.seed(seed);
        }
        if (evalEvery != null) {
            b.evalEvery(evalEvery);
        }
        if (maxIterations != null) {
            b.maxIterations(maxIterations);
        }
        if (straggler != null) {
            b.straggler(straggler);
        }
        if (checkpointDir != null) {
            b.checkpointDir(checkpointDir);
        }
        if (checkpointEvery != null) {
            b.checkpointEvery(checkpointEvery);
        }
        b.resume(resume).resumeOverride(resumeOverride);
        if (device != null) {
            b.device(device);
        }
        options.forEach(b::option);
        TrainerFlags.parse(trainerFlags).forEach(b::option);
        return b.build();
    }

    private CommunicatorConfig communicatorConfig() {
        CommunicatorConfig.Builder b = CommunicatorConfig.fromSystemProperties().toBuilder();
        LinkModel l = link.link();
        if (l != null) {
            b.link(l);
        }
        return b.build();
    }

    private static int rankFromEnvironment(Jobs.Transport t) {
        if (t == Jobs.Transport.MPJ) {
            return MpjBridge.rank();
        }
        String r = System.getenv("RANK");
        return r == null ? 0 : Integer.parseInt(r.trim());
    }

    private static void printSummary(TrainResult r, String label, CommunicatorConfig comm, Path csv, Path png,
            Path json) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%s on %d workers, %s (%d parameters), %s%n", label, r.workers(),
                r.model(), r.parameterCount(), r.data()));
        sb.append("device: ").append(r.device()).append('\n');
        if (comm.link() != null) {
            sb.append("emulated link: ").append(comm.link()).append('\n');
        }
        r.evaluations().forEach(e -> sb.append(String.format(Locale.ROOT,
                "  after %6d iterations (epoch %d): test accuracy %.2f %%, test loss %.4f%n", e.iterations(),
                e.epoch() + 1, 100 * e.testAccuracy(), e.testLoss())));
        long its = Math.max(1, r.iterationsRun());
        sb.append(String.format(Locale.ROOT, "final test accuracy %.2f %% | wall %.1f s (training %.1f s, evaluation"
                + " %.1f s) | %d iterations of %.2f ms: computing %.2f ms, waiting for communication %.2f ms%n",
                100 * r.finalTestAccuracy(), r.wallSeconds(), r.trainSeconds(), r.evalSeconds(), r.iterationsRun(),
                r.meanIterationMs(), r.meanComputeMs() / its, r.meanCommWaitMs() / its));
        if (r.wireBytesSent() >= 0) {
            String c = r.config().compression().cliName();
            sb.append(String.format(Locale.ROOT, "rank %d sent %.1f KiB per iteration (counted by its transport;"
                    + " compression %s%s)%n", r.rank(), r.wireBytesPerIteration() / 1024, c,
                    c.equals("none") ? "" : r.config().errorFeedback() ? ", error feedback on"
                            : ", error feedback off"));
        }
        if (r.trainerStats().get("dp_epsilon") instanceof Double eps) {
            sb.append(String.format(Locale.ROOT, "differential privacy: --dp %s, epsilon %.3f at delta %s over %s"
                    + " steps%n", r.trainerStats().get("dp_method"), eps, r.trainerStats().get("dp_delta"),
                    r.trainerStats().get("dp_steps")));
        }
        sb.append("parameters sha256 ").append(r.paramsSha256()).append(" (identical on every rank)\n");
        sb.append("wrote ").append(csv).append(", ").append(png).append(", ").append(json).append('\n');
        System.out.print(sb);
        System.out.flush();
    }

    /** True when every rank's parameters hash to the same bits (checked with two AllReduces of the digest). */
    /**
     * Every rank: the ranks whose parameter hash differs from rank 0's, as "rank R: sha256" (empty when all agree).
     * Each rank puts its hash's bytes in its own slot and one SUM AllReduce gives every rank all of them.
     */
    static String differingRanks(Communicator c, String sha256) {
        int bytes = sha256.length() / 2;
        float[] all = new float[c.size() * bytes];
        for (int i = 0; i < bytes; i++) {
            all[c.rank() * bytes + i] = Integer.parseInt(sha256.substring(2 * i, 2 * i + 2), 16);
        }
        c.allreduce(all, io.ringsgd.collectives.ReduceOp.SUM);
        StringBuilder differing = new StringBuilder();
        for (int r = 1; r < c.size(); r++) {
            boolean same = true;
            StringBuilder hex = new StringBuilder();
            for (int i = 0; i < bytes; i++) {
                same &= all[r * bytes + i] == all[i];
                hex.append(String.format(java.util.Locale.ROOT, "%02x", (int) all[r * bytes + i]));
            }
            if (!same) {
                differing.append(differing.length() == 0 ? "" : ", ").append("rank ").append(r).append(": ")
                        .append(hex);
            }
        }
        return differing.toString();
    }

    /** Rank 0's result and whether every rank ended with the same parameters. */
    private record Outcome(TrainResult result, String differing) {
    }
}

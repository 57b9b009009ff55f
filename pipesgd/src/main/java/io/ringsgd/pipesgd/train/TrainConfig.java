package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.Compression;
import io.ringsgd.pipesgd.compute.ComputeDevice;
import io.ringsgd.pipesgd.compute.ResolvedDevice;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.optim.Schedule;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a training run needs to know, one field per option of {@code ringsgd train}. Immutable; built with
 * {@link #builder()}, whose {@link Builder#build()} rejects bad values with a one-line
 * {@link IllegalArgumentException} naming the option and what to do. {@link #checkEnvironment()} checks what needs
 * the file system (data files, writable directories, workers against samples). Options of trainers from other
 * modules that have no field here go in {@link #options()} (string key/value pairs).
 *
 * <p>The batch size is per worker: a step averages the gradients of {@code workers × batch} samples.
 *
 * <p>Defaults: trainer pipe (width 2), 1 worker, MLP 784-256-128-10 on Fashion-MNIST, 3 epochs, batch 16 per worker,
 * lr 0.05, momentum 0.8, weight decay 1e-4, cosine schedule, no compression, seed 1, device auto (CUDA when a CUDA
 * device works, else the CPU; see {@link #resolveDevice()}). They reach about 86 % test
 * accuracy with 4 workers for both sync and pipe width 2. Momentum is kept below the usual 0.9 on purpose: a
 * gradient that is K−1 steps stale shrinks the stable step size of heavy-ball momentum sharply (for a quadratic with
 * μ = 0.9 and one step of delay, from lr·h &lt; 3.8 to lr·h &lt; 0.1), and lr 0.1 with μ 0.9 diverges at width 2.
 * Trainer cocod defaults to 4 local steps, lr 0.025 and momentum 0.95 instead: its momentum is local and never
 * stale, and smoother local steps keep the workers' models closer between averages (about half a point of test
 * accuracy over lr 0.05 / momentum 0.8 with 4 workers on Fashion-MNIST).
 */
public final class TrainConfig {
    /** Largest pipeline width accepted (each slot holds one gradient vector). */
    public static final int MAX_WIDTH = 64;
    /** Local steps τ between model averages when {@code --local-steps} is not given and the trainer is cocod. */
    public static final int DEFAULT_COCOD_LOCAL_STEPS = 4;

    private final String trainer;
    private final int width;
    private final boolean widthSet;
    private final int workers;
    private final String model;
    private final int[] hidden;
    private final ModelFactory modelFactory;
    private final DataSpec data;
    private final int epochs;
    private final int batch;
    private final double lr;
    private final double momentum;
    private final boolean nesterov;
    private final double weightDecay;
    private final Schedule schedule;
    private final double warmupEpochs;
    private final int stepEpochs;
    private final double stepFactor;
    private final Compression compression;
    private final long seed;
    private final Path checkpointDir;
    private final long checkpointEvery;
    private final boolean resume;
    private final long evalEvery;
    private final long syncWarmup;
    private final int localSteps;
    private final boolean localStepsSet;
    private final boolean lrSet;
    private final boolean momentumSet;
    private final long maxIterations;
    private final Path outputDir;
    private final ComputeDevice device;
    private final Map<String, String> options;

    private TrainConfig(Builder b) {
        this.trainer = b.trainer;
        this.widthSet = b.width != null;
        this.width = b.width != null ? b.width : defaultWidth(b.trainer);
        this.workers = b.workers;
        this.model = b.model;
        this.hidden = b.hidden.clone();
        this.modelFactory = b.modelFactory;
        this.data = b.data;
        this.epochs = b.epochs;
        this.batch = b.batch;
        this.lrSet = b.lr != null;
        this.lr = b.lr != null ? b.lr : defaultLr(b.trainer);
        this.momentumSet = b.momentum != null;
        this.momentum = b.momentum != null ? b.momentum : defaultMomentum(b.trainer);
        this.nesterov = b.nesterov;
        this.weightDecay = b.weightDecay;
        this.schedule = b.schedule;
        this.warmupEpochs = b.warmupEpochs;
        this.stepEpochs = b.stepEpochs;
        this.stepFactor = b.stepFactor;
        this.compression = b.compression;
        this.seed = b.seed;
        this.checkpointDir = b.checkpointDir;
        this.checkpointEvery = b.checkpointEvery;
        this.resume = b.resume;
        this.evalEvery = b.evalEvery;
        this.syncWarmup = b.syncWarmup;
        this.localStepsSet = b.localSteps != null;
        this.localSteps = b.localSteps != null ? b.localSteps : defaultLocalSteps(b.trainer);
        this.maxIterations = b.maxIterations;
        this.outputDir = b.outputDir;
        this.device = b.device;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
    }

    private static int defaultWidth(String trainer) {
        return "pipe".equals(trainer) ? 2 : 1;
    }

    private static int defaultLocalSteps(String trainer) {
        return "cocod".equals(trainer) ? DEFAULT_COCOD_LOCAL_STEPS : 1;
    }

    private static double defaultLr(String trainer) {
        return "cocod".equals(trainer) ? 0.025 : 0.05;
    }

    private static double defaultMomentum(String trainer) {
        return "cocod".equals(trainer) ? 0.95 : 0.8;
    }

    /** A builder with the defaults (see the class comment). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trainer = trainer;
        b.width = widthSet ? width : null;
        b.workers = workers;
        b.model = model;
        b.hidden = hidden.clone();
        b.modelFactory = modelFactory;
        b.data = data;
        b.epochs = epochs;
        b.batch = batch;
        b.lr = lrSet ? lr : null;
        b.momentum = momentumSet ? momentum : null;
        b.nesterov = nesterov;
        b.weightDecay = weightDecay;
        b.schedule = schedule;
        b.warmupEpochs = warmupEpochs;
        b.stepEpochs = stepEpochs;
        b.stepFactor = stepFactor;
        b.compression = compression;
        b.seed = seed;
        b.checkpointDir = checkpointDir;
        b.checkpointEvery = checkpointEvery;
        b.resume = resume;
        b.evalEvery = evalEvery;
        b.syncWarmup = syncWarmup;
        b.localSteps = localStepsSet ? localSteps : null;
        b.maxIterations = maxIterations;
        b.outputDir = outputDir;
        b.device = device;
        b.options.putAll(options);
        return b;
    }

    /** Trainer name ({@code --trainer}): pipe, sync, or one registered by another module (cocod). */
    public String trainer() {
        return trainer;
    }

    /** Pipeline width K ({@code --width}); when not given, 2 for pipe and 1 for the others. */
    public int width() {
        return width;
    }

    /** True if the width was set explicitly rather than defaulted. */
    public boolean widthSet() {
        return widthSet;
    }

    /** Number of ranks ({@code --workers}); the communicator a trainer runs on must have this many. */
    public int workers() {
        return workers;
    }

    /** Built-in model name ({@code --model}: mlp or softmax), or "custom" when a factory was plugged in. */
    public String model() {
        return modelFactory != null ? "custom" : model;
    }

    /** MLP hidden layer sizes ({@code --hidden}). */
    public int[] hidden() {
        return hidden.clone();
    }

    /** The factory of the model to train: the plugged-in one, else the built-in named by {@link #model()}. */
    public ModelFactory modelFactory() {
        return modelFactory != null ? modelFactory : Models.factory(model, hidden);
    }

    /** True when a user model factory was plugged in. */
    public boolean customModel() {
        return modelFactory != null;
    }

    /** The data set ({@code --data}). */
    public DataSpec data() {
        return data;
    }

    /** Passes over the training set ({@code --epochs}). */
    public int epochs() {
        return epochs;
    }

    /** Mini-batch size per worker ({@code --batch}). */
    public int batch() {
        return batch;
    }

    /** Base learning rate ({@code --lr}); if not given 0.025 for cocod, else 0.05. */
    public double lr() {
        return lr;
    }

    /** Momentum μ ({@code --momentum}; 0 = plain SGD); if not given 0.95 for cocod, else 0.8. */
    public double momentum() {
        return momentum;
    }

    /** Nesterov momentum ({@code --nesterov}). */
    public boolean nesterov() {
        return nesterov;
    }

    /** L2 weight decay ({@code --weight-decay}). */
    public double weightDecay() {
        return weightDecay;
    }

    /** Learning-rate schedule after the warm-up ({@code --schedule}). */
    public Schedule schedule() {
        return schedule;
    }

    /** Linear learning-rate warm-up in epochs, may be fractional ({@code --warmup-epochs}). */
    public double warmupEpochs() {
        return warmupEpochs;
    }

    /** Epochs between learning-rate steps of the step schedule ({@code --step-epochs}). */
    public int stepEpochs() {
        return stepEpochs;
    }

    /** Factor of each learning-rate step ({@code --step-factor}). */
    public double stepFactor() {
        return stepFactor;
    }

    /** Compression of the gradient AllReduce ({@code --compress}); lossy ones get error feedback. */
    public Compression compression() {
        return compression;
    }

    /** Seed of initialization and shuffling ({@code --seed}). */
    public long seed() {
        return seed;
    }

    /** Directory of checkpoints ({@code --checkpoint-dir}), or null for none. */
    public Path checkpointDir() {
        return checkpointDir;
    }

    /** Iterations between checkpoints ({@code --checkpoint-every}; 0 = only at the end). */
    public long checkpointEvery() {
        return checkpointEvery;
    }

    /** Continue from the newest checkpoint in {@link #checkpointDir()} ({@code --resume}). */
    public boolean resume() {
        return resume;
    }

    /** Iterations between test evaluations besides the one at every epoch's end ({@code --eval-every}; 0 = none). */
    public long evalEvery() {
        return evalEvery;
    }

    /** Synchronous (width 1) iterations before the pipeline starts ({@code --sync-warmup}). */
    public long syncWarmup() {
        return syncWarmup;
    }

    /** Local steps τ between model averages (CoCoD-SGD, {@code --local-steps}); if not given 4 for cocod, else 1. */
    public int localSteps() {
        return localSteps;
    }

    /** Stop after this many iterations ({@code --max-iterations}; 0 = run all epochs). */
    public long maxIterations() {
        return maxIterations;
    }

    /** Directory where the CLI writes metrics.csv, metrics.png and summary.json ({@code --output}), or null. */
    public Path outputDir() {
        return outputDir;
    }

    /**
     * Where to compute ({@code --device}): auto (the default: CUDA if a CUDA device works, else the CPU), cpu, cuda,
     * or host-device (the device code path on the Java host device, a diagnostic). See {@link #resolveDevice()}.
     */
    public ComputeDevice device() {
        return device;
    }

    /**
     * Why this run must compute on the CPU whatever {@code --device} says (a custom model, a trainer without a device
     * path), or null if it may use a device.
     */
    public String cpuOnlyReason() {
        if (modelFactory != null) {
            return "the custom model runs on the CPU (the device path has the built-in mlp and softmax models)";
        }
        if (!Trainers.create(trainer).supportsDevices()) {
            return "trainer " + trainer + " computes on the CPU only";
        }
        return null;
    }

    /**
     * What {@link #device()} resolves to on this machine and why: {@code auto} becomes cuda when
     * {@code Devices.cudaAvailable()}, else cpu. Probes CUDA (once per JVM) unless the device is cpu.
     *
     * @throws IllegalArgumentException (one line) for {@code cuda} without a working CUDA device: "--device cuda but
     *     no CUDA device: &lt;reason&gt;; use --device auto or cpu"
     */
    public ResolvedDevice resolveDevice() {
        return ResolvedDevice.resolve(device, cpuOnlyReason());
    }

    /** Extra options for trainers of other modules, read-only. */
    public Map<String, String> options() {
        return options;
    }

    /** The extra option {@code key}, or {@code fallback} if absent. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /**
     * Checks what needs the file system, with one-line messages: the data directory holds the files, there are no
     * more workers than training samples and every worker gets at least one batch, and the checkpoint and output
     * directories can be written (they are created if missing), and that the device asked for exists (see
     * {@link #resolveDevice()}). Loads the data (once per JVM, see {@link DataSets}).
     */
    public void checkEnvironment() {
        resolveDevice();
        data.check();
        TrainTestData d = DataSets.load(data);
        checkAgainst(d);
        if (checkpointDir != null) {
            checkWritableDirectory(checkpointDir, "--checkpoint-dir");
        }
        if (outputDir != null) {
            checkWritableDirectory(outputDir, "--output");
        }
        if (resume && (checkpointDir == null || !Files.isDirectory(checkpointDir))) {
            throw new IllegalArgumentException("--resume needs an existing --checkpoint-dir, got " + checkpointDir);
        }
    }

    /** Checks the workers and the batch size against the loaded data. */
    public void checkAgainst(TrainTestData d) {
        int n = d.train().size();
        if (workers > n) {
            throw new IllegalArgumentException(workers + " workers but the training set has only " + n
                    + " samples: use at most " + n + " workers (--workers) or a larger data set");
        }
        int shard = Shard.smallestSize(n, workers);
        if (batch > shard) {
            throw new IllegalArgumentException("batch " + batch + " is larger than a worker's shard of " + shard
                    + " samples (" + n + " samples / " + workers + " workers): lower --batch or --workers");
        }
    }

    /** Creates {@code dir} if needed and checks that a file can be created in it. */
    public static void checkWritableDirectory(Path dir, String option) {
        try {
            Files.createDirectories(dir);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(option + " " + dir + " cannot be created (" + oneLine(e)
                    + "): pass a writable directory");
        }
        try {
            Path probe = Files.createTempFile(dir, ".ringsgd-write-check", ".tmp");
            Files.delete(probe);
        } catch (IOException | SecurityException e) {
            throw new IllegalArgumentException(option + " " + dir + " is not writable (" + oneLine(e)
                    + "): pass a writable directory");
        }
    }

    private static String oneLine(Exception e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": "
                + e.getMessage();
        return m.replace('\n', ' ').replace('\r', ' ');
    }

    /** A one-line summary for logs. */
    @Override
    public String toString() {
        return "trainer=" + trainer + " width=" + width + " workers=" + workers + " model=" + model()
                + (modelFactory == null && "mlp".equals(model) ? " hidden=" + join(hidden) : "") + " data=" + data
                + " epochs=" + epochs + " batch=" + batch + " lr=" + lr + " momentum=" + momentum
                + (nesterov ? " nesterov" : "") + " weight-decay=" + weightDecay + " schedule=" + schedule.cliName()
                + " warmup-epochs=" + warmupEpochs + " compress=" + compression.cliName() + " seed=" + seed
                + (syncWarmup > 0 ? " sync-warmup=" + syncWarmup : "") + (localSteps != 1 ? " local-steps="
                + localSteps : "") + (checkpointDir != null ? " checkpoint-dir=" + checkpointDir
                + " checkpoint-every=" + checkpointEvery + (resume ? " resume" : "") : "")
                + (evalEvery > 0 ? " eval-every=" + evalEvery : "") + (maxIterations > 0 ? " max-iterations="
                + maxIterations : "") + (device != ComputeDevice.AUTO ? " device=" + device.cliName() : "")
                + (options.isEmpty() ? "" : " options=" + options);
    }

    /** Comma-separated integers, e.g. "256,128". */
    public static String join(int[] v) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < v.length; i++) {
            sb.append(i == 0 ? "" : ",").append(v[i]);
        }
        return sb.toString();
    }

    /** Parses "256,128" (the {@code --hidden} form); an empty string means no hidden layer. */
    public static int[] parseHidden(String s) {
        if (s == null || s.isBlank()) {
            return new int[0];
        }
        String[] parts = s.split(",");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                out[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--hidden '" + s + "' is not a comma-separated list of layer "
                        + "sizes: use e.g. 256,128", e);
            }
        }
        return out;
    }

    /** Builder of {@link TrainConfig}; every setter returns the builder, {@link #build()} validates. */
    public static final class Builder {
        private String trainer = "pipe";
        private Integer width;
        private int workers = 1;
        private String model = "mlp";
        private int[] hidden = {256, 128};
        private ModelFactory modelFactory;
        private DataSpec data = DataSpec.fashionMnist();
        private int epochs = 3;
        private int batch = 16;
        private Double lr;
        private Double momentum;
        private boolean nesterov;
        private double weightDecay = 1e-4;
        private Schedule schedule = Schedule.COSINE;
        private double warmupEpochs;
        private int stepEpochs = 1;
        private double stepFactor = 0.5;
        private Compression compression = Compression.NONE;
        private long seed = 1;
        private Path checkpointDir;
        private long checkpointEvery;
        private boolean resume;
        private long evalEvery;
        private long syncWarmup;
        private Integer localSteps;
        private long maxIterations;
        private Path outputDir;
        private ComputeDevice device = ComputeDevice.AUTO;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder trainer(String name) {
            this.trainer = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
            return this;
        }

        public Builder width(int k) {
            this.width = k;
            return this;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /** A built-in model: "mlp" or "softmax". */
        public Builder model(String name) {
            this.model = name == null ? null : Models.normalize(name);
            this.modelFactory = null;
            return this;
        }

        public Builder hidden(int... sizes) {
            this.hidden = sizes == null ? null : sizes.clone();
            return this;
        }

        /** Plugs in a user model (overrides {@link #model(String)}). */
        public Builder modelFactory(ModelFactory factory) {
            this.modelFactory = factory;
            return this;
        }

        public Builder data(DataSpec spec) {
            this.data = spec;
            return this;
        }

        /** The {@code --data} string form, see {@link DataSpec#parse}. */
        public Builder data(String spec) {
            this.data = DataSpec.parse(spec);
            return this;
        }

        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        public Builder batch(int perWorker) {
            this.batch = perWorker;
            return this;
        }

        public Builder lr(double rate) {
            this.lr = rate;
            return this;
        }

        public Builder momentum(double mu) {
            this.momentum = mu;
            return this;
        }

        public Builder nesterov(boolean on) {
            this.nesterov = on;
            return this;
        }

        public Builder weightDecay(double lambda) {
            this.weightDecay = lambda;
            return this;
        }

        public Builder schedule(Schedule s) {
            this.schedule = s;
            return this;
        }

        public Builder schedule(String s) {
            this.schedule = Schedule.parse(s);
            return this;
        }

        public Builder warmupEpochs(double epochs) {
            this.warmupEpochs = epochs;
            return this;
        }

        public Builder stepEpochs(int epochs) {
            this.stepEpochs = epochs;
            return this;
        }

        public Builder stepFactor(double factor) {
            this.stepFactor = factor;
            return this;
        }

        public Builder compression(Compression c) {
            this.compression = c;
            return this;
        }

        public Builder compression(String c) {
            this.compression = Compression.parse(c);
            return this;
        }

        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        public Builder checkpointDir(Path dir) {
            this.checkpointDir = dir;
            return this;
        }

        public Builder checkpointEvery(long iterations) {
            this.checkpointEvery = iterations;
            return this;
        }

        public Builder resume(boolean on) {
            this.resume = on;
            return this;
        }

        public Builder evalEvery(long iterations) {
            this.evalEvery = iterations;
            return this;
        }

        public Builder syncWarmup(long iterations) {
            this.syncWarmup = iterations;
            return this;
        }

        public Builder localSteps(int tau) {
            this.localSteps = tau;
            return this;
        }

        public Builder maxIterations(long n) {
            this.maxIterations = n;
            return this;
        }

        public Builder outputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /** Where to compute: auto (default), cpu, cuda or host-device. */
        public Builder device(ComputeDevice d) {
            this.device = d;
            return this;
        }

        /** The {@code --device} string form: auto, cpu, cuda or host-device. */
        public Builder device(String d) {
            this.device = ComputeDevice.parse(d);
            return this;
        }

        /** An option for a trainer of another module (kept as a string). */
        public Builder option(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException("option key and value must be non-empty, got " + key + "="
                        + value);
            }
            options.put(key, value);
            return this;
        }

        /** Validates and builds; a bad value gives a one-line {@link IllegalArgumentException}. */
        public TrainConfig build() {
            if (trainer == null || trainer.isEmpty()) {
                throw new IllegalArgumentException("trainer is empty: pass --trainer " + String.join(", ",
                        Trainers.names()));
            }
            if (!Trainers.isKnown(trainer)) {
                throw new IllegalArgumentException("unknown trainer '" + trainer + "': use one of "
                        + String.join(", ", Trainers.names()) + (trainer.equals("cocod")
                        ? " (cocod needs ringsgd-cocod on the class path)" : ""));
            }
            if (width != null && (width < 1 || width > MAX_WIDTH)) {
                throw new IllegalArgumentException("width must be between 1 and " + MAX_WIDTH + " (1 = synchronous "
                        + "SGD, K > 1 overlaps K-1 AllReduces with compute), got " + width + ": pass --width 1 or 2");
            }
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers
                        + ": pass --workers 4 for example");
            }
            if (modelFactory == null) {
                if (model == null || !Models.NAMES.contains(model)) {
                    throw new IllegalArgumentException("unknown model '" + model + "': use --model mlp or softmax");
                }
                if (hidden == null) {
                    throw new IllegalArgumentException("hidden sizes are null: pass --hidden 256,128");
                }
                if (model.equals("mlp") && hidden.length == 0) {
                    throw new IllegalArgumentException("the mlp model needs at least one hidden layer: pass --hidden "
                            + "256,128, or use --model softmax");
                }
                for (int h : hidden) {
                    if (h < 1) {
                        throw new IllegalArgumentException("hidden layer sizes must be positive, got "
                                + Arrays.toString(hidden) + ": pass --hidden 256,128 for example");
                    }
                }
            }
            if (data == null) {
                throw new IllegalArgumentException("data is null: pass --data fashion-mnist, embedded, synthetic "
                        + "or a directory");
            }
            data.check();
            if (epochs < 1) {
                throw new IllegalArgumentException("epochs must be at least 1, got " + epochs + ": pass --epochs 3");
            }
            if (batch < 1) {
                throw new IllegalArgumentException("batch must be at least 1 sample per worker, got " + batch
                        + ": pass --batch 32 for example");
            }
            if (lr != null && (!(lr > 0) || Double.isInfinite(lr))) {
                throw new IllegalArgumentException("learning rate must be a positive number, got " + lr
                        + ": pass --lr 0.05 for example");
            }
            if (momentum != null && !(momentum >= 0 && momentum < 1)) {
                throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum
                        + ": pass --momentum 0.9 (or 0 for plain SGD)");
            }
            if (nesterov && momentum != null && momentum == 0) {
                throw new IllegalArgumentException("Nesterov momentum needs a momentum > 0: pass --momentum 0.9 or "
                        + "drop --nesterov");
            }
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay
                        + ": pass --weight-decay 0.0001 or 0");
            }
            if (schedule == null) {
                throw new IllegalArgumentException("schedule is null: pass --schedule constant, step or cosine");
            }
            if (!(warmupEpochs >= 0) || Double.isInfinite(warmupEpochs)) {
                throw new IllegalArgumentException("warm-up must be a finite number of epochs >= 0, got "
                        + warmupEpochs + ": pass --warmup-epochs 0.5 or 0");
            }
            if (stepEpochs < 1) {
                throw new IllegalArgumentException("step-epochs must be at least 1, got " + stepEpochs
                        + ": pass --step-epochs 1");
            }
            if (!(stepFactor > 0) || Double.isInfinite(stepFactor)) {
                throw new IllegalArgumentException("step factor must be a positive number, got " + stepFactor
                        + ": pass --step-factor 0.5");
            }
            if (compression == null) {
                throw new IllegalArgumentException("compression is null: pass --compress none, fp16 or int8");
            }
            if (checkpointEvery < 0) {
                throw new IllegalArgumentException("checkpoint-every must be >= 0 iterations (0 = only at the end), "
                        + "got " + checkpointEvery);
            }
            if (resume && checkpointDir == null) {
                throw new IllegalArgumentException("--resume needs --checkpoint-dir: say where the checkpoints are");
            }
            if (evalEvery < 0) {
                throw new IllegalArgumentException("eval-every must be >= 0 iterations (0 = at the end of each "
                        + "epoch only), got " + evalEvery);
            }
            if (syncWarmup < 0) {
                throw new IllegalArgumentException("sync-warmup must be >= 0 iterations, got " + syncWarmup);
            }
            if (localSteps != null && localSteps < 1) {
                throw new IllegalArgumentException("local-steps must be at least 1, got " + localSteps
                        + ": pass --local-steps 4 for example");
            }
            if (maxIterations < 0) {
                throw new IllegalArgumentException("max-iterations must be >= 0 (0 = all epochs), got "
                        + maxIterations);
            }
            if (checkpointDir != null && Files.exists(checkpointDir) && !Files.isDirectory(checkpointDir)) {
                throw new IllegalArgumentException("--checkpoint-dir " + checkpointDir + " is a file, not a "
                        + "directory: pass a directory");
            }
            if (outputDir != null && Files.exists(outputDir) && !Files.isDirectory(outputDir)) {
                throw new IllegalArgumentException("--output " + outputDir + " is a file, not a directory: pass a "
                        + "directory");
            }
            if (device == null) {
                throw new IllegalArgumentException("device is null: pass --device auto, cpu, cuda or host-device");
            }
            TrainConfig cfg = new TrainConfig(this);
            Trainers.create(cfg.trainer).validate(cfg);
            if (device.isDevicePath()) {
                String cpuOnly = cfg.cpuOnlyReason();
                if (cpuOnly != null) {
                    throw new IllegalArgumentException("--device " + device.cliName() + " but " + cpuOnly
                            + "; use --device cpu or auto");
                }
            }
            return cfg;
        }
    }
}

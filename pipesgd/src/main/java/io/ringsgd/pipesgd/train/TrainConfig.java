package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.codec.SparseTernaryCodec;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Everything a training run needs to know: the trainer and its own options, the workers, the model, and the shared
 * settings grouped in {@link OptimizerConfig}, {@link DataConfig}, {@link CheckpointConfig} and
 * {@link OutputConfig}. Immutable and thread-safe: one instance serves every rank of a run. Built with
 * {@link #builder()}, whose {@link Builder#build()} rejects bad values with a one-line
 * {@link IllegalArgumentException} naming the flag and what to do; {@link #checkEnvironment()} checks what needs the
 * file system (data files, writable directories, workers against samples), which {@link Trainer#train} also finds
 * out as it goes, later and on every rank.
 *
 * <pre>{@code
 * TrainConfig cfg = TrainConfig.builder()
 *         .trainer("pipe").option(PipeSgdTrainer.WIDTH, 2)
 *         .workers(4).model("mlp").hidden(256, 128).data("fashion-mnist")
 *         .epochs(3).batch(16)
 *         .build();
 * }</pre>
 *
 * <p>The trainer owns its settings: its {@link TrainerProvider} declares its options ({@link #option(TrainerOption)}
 * reads them; an option the trainer does not declare is rejected) and its defaults for the learning rate and the
 * momentum, which apply where {@code --lr} and {@code --momentum} are not given. Other defaults: trainer pipe, 1
 * worker, MLP 784-256-128-10 on Fashion-MNIST, 3 epochs, batch 16 per worker, weight decay 1e-4, cosine schedule, no
 * compression, seed 1, device auto (CUDA when a CUDA device works, else the CPU; see {@link #resolveDevice()}).
 */
public final class TrainConfig {
    /** The trainer when none is named. */
    public static final String DEFAULT_TRAINER = "pipe";

    private final String trainer;
    private final int workers;
    private final String model;
    private final int[] hidden;
    private final ModelFactory modelFactory;
    private final Compression compression;
    private final boolean errorFeedback;
    private final float ternaryThreshold;
    private final long seed;
    private final long maxIterations;
    private final ComputeDevice device;
    private final OptimizerConfig optimizer;
    private final DataConfig data;
    private final CheckpointConfig checkpoints;
    private final OutputConfig output;
    private final Map<String, String> options;
    private final Straggler straggler;
    /** What the builder was given for lr and momentum (null: the trainer's default), so toBuilder keeps it. */
    private final Double givenLr;
    private final Double givenMomentum;

    private TrainConfig(Builder b, OptimizerConfig optimizer, DataConfig data, CheckpointConfig checkpoints,
            OutputConfig output) {
        this.trainer = b.trainer;
        this.workers = b.workers;
        this.model = b.model;
        this.hidden = b.hidden.clone();
        this.modelFactory = b.modelFactory;
        this.compression = b.compression;
        this.errorFeedback = b.errorFeedback;
        this.ternaryThreshold = b.ternaryThreshold;
        this.seed = b.seed;
        this.maxIterations = b.maxIterations;
        this.device = b.device;
        this.optimizer = optimizer;
        this.data = data;
        this.checkpoints = checkpoints;
        this.output = output;
        this.options = Collections.unmodifiableMap(new LinkedHashMap<>(b.options));
        this.straggler = b.straggler;
        this.givenLr = b.lr;
        this.givenMomentum = b.momentum;
    }

    /**
     * A builder with the defaults (see the class comment).
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A builder holding this configuration, to derive another one (the trainer's defaults stay unresolved where none
     * was given, so a change of trainer picks up the new trainer's defaults).
     *
     * @return a new builder
     */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.trainer = trainer;
        b.workers = workers;
        b.model = model;
        b.hidden = hidden.clone();
        b.modelFactory = modelFactory;
        b.compression = compression;
        b.errorFeedback = errorFeedback;
        b.ternaryThreshold = ternaryThreshold;
        b.seed = seed;
        b.maxIterations = maxIterations;
        b.device = device;
        b.lr = givenLr;
        b.momentum = givenMomentum;
        b.nesterov = optimizer.nesterov();
        b.weightDecay = optimizer.weightDecay();
        b.schedule = optimizer.schedule();
        b.warmupEpochs = optimizer.warmupEpochs();
        b.stepEpochs = optimizer.stepEpochs();
        b.stepFactor = optimizer.stepFactor();
        b.data = data.spec();
        b.batch = data.batch();
        b.epochs = data.epochs();
        b.checkpointDir = checkpoints.dir();
        b.checkpointEvery = checkpoints.every();
        b.resume = checkpoints.resume();
        b.resumeOverride = checkpoints.override();
        b.outputDir = output.dir();
        b.evalEvery = output.evalEvery();
        b.options.putAll(options);
        b.straggler = straggler;
        return b;
    }

    /** Trainer name ({@code --trainer}): pipe, sync, or one registered by another module (cocod). */
    public String trainer() {
        return trainer;
    }

    /** Number of ranks ({@code --workers}); the communicator a trainer runs on must have this many. */
    public int workers() {
        return workers;
    }

    /**
     * Built-in model name ({@code --model}: mlp, softmax, cnn, cnn-large or cnn:SPEC), or "custom" when a factory was
     * plugged in.
     */
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

    /** Compression of the AllReduce traffic ({@code --compress}); lossy ones get error feedback. */
    public Compression compression() {
        return compression;
    }

    /**
     * Whether what compression drops is added to the next contribution ({@code --error-feedback on|off}, default on;
     * off exists to measure what error feedback buys). Without compression it has no effect.
     *
     * @return true when on
     */
    public boolean errorFeedback() {
        return errorFeedback;
    }

    /**
     * Threshold λ of the ternary format ({@code --ternary-threshold}, default 2.5): elements above λ times their
     * bucket's mean magnitude are sent, the rest left to error feedback.
     *
     * @return λ
     */
    public float ternaryThreshold() {
        return ternaryThreshold;
    }

    /** The AllReduce options of this configuration's compression (with its ternary threshold), without a sink. */
    public CollectiveOptions collectiveOptions() {
        return compression == Compression.NONE ? CollectiveOptions.DEFAULT
                : CollectiveOptions.compressed(compression).withTernaryThreshold(ternaryThreshold);
    }

    /** Seed of initialization and shuffling ({@code --seed}). */
    public long seed() {
        return seed;
    }

    /** Stop after this many iterations ({@code --max-iterations}; 0 = run all epochs). */
    public long maxIterations() {
        return maxIterations;
    }

    /** The rank made slower on purpose ({@code --straggler RANK:FACTOR}), or null if none. */
    public Straggler straggler() {
        return straggler;
    }

    /**
     * Where to compute ({@code --device}): auto (the default: CUDA if a CUDA device works, else the CPU), cpu, cuda,
     * or host-device (the device code path on the Java host device, a diagnostic). See {@link #resolveDevice()}.
     */
    public ComputeDevice device() {
        return device;
    }

    /** The optimizer and learning-rate schedule, with the trainer's defaults applied. */
    public OptimizerConfig optimizer() {
        return optimizer;
    }

    /** The data set, the batch per worker and the epochs. */
    public DataConfig data() {
        return data;
    }

    /** Checkpoints and resuming. */
    public CheckpointConfig checkpoints() {
        return checkpoints;
    }

    /** Evaluations and the output directory. */
    public OutputConfig output() {
        return output;
    }

    /** The trainer's options as given (name to text), read-only; see {@link #option(TrainerOption)}. */
    public Map<String, String> options() {
        return options;
    }

    /** The trainer option {@code key} as given, or {@code fallback} if absent. */
    public String option(String key, String fallback) {
        return options.getOrDefault(key, fallback);
    }

    /** The value of the trainer's option {@code o}: as given, else its default. */
    public <T> T option(TrainerOption<T> o) {
        String raw = options.get(o.name());
        return raw == null ? o.defaultValue() : o.parse(raw);
    }

    /**
     * Why this run must compute on the CPU whatever {@code --device} says (a custom model, a trainer without a device
     * path), or null if it may use a device.
     */
    public String cpuOnlyReason() {
        if (straggler != null) {
            return "--straggler slows the CPU model's compute";
        }
        if (modelFactory != null) {
            return "the custom model runs on the CPU (the device path has the built-in models: mlp, softmax, cnn)";
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

    /**
     * Checks what needs the file system, with one-line messages: the data directory holds the files, there are no
     * more workers than training samples and every worker gets at least one batch, the checkpoint and output
     * directories can be written (they are created if missing), and the device asked for exists (see
     * {@link #resolveDevice()}). Loads the data (once per JVM, see {@link DataSets}), so it may block for as long as
     * reading the files takes. Optional: {@link Trainer#train} finds the same problems, later and on every rank.
     *
     * @throws IllegalArgumentException one line naming the flag and what to do
     * @throws io.ringsgd.pipesgd.data.DataFileException if a data file is unreadable, truncated or malformed
     */
    public void checkEnvironment() {
        resolveDevice();
        data.spec().check();
        TrainTestData d = DataSets.load(data.spec());
        checkAgainst(d);
        if (checkpoints.dir() != null) {
            checkWritableDirectory(checkpoints.dir(), "--checkpoint-dir");
        }
        if (output.dir() != null) {
            checkWritableDirectory(output.dir(), "--out");
        }
        if (checkpoints.resume() && !Files.isDirectory(checkpoints.dir())) {
            throw new IllegalArgumentException("--resume needs an existing --checkpoint-dir, got "
                    + checkpoints.dir());
        }
    }

    /** Checks the model's shape, the workers and the batch size against the loaded data. */
    public void checkAgainst(TrainTestData d) {
        modelFactory().create(d.featureCount(), d.classCount());
        int n = d.train().size();
        if (workers > n) {
            throw new IllegalArgumentException(workers + " workers but the training set has only " + n
                    + " samples: use at most " + n + " workers (--workers) or a larger data set");
        }
        int shard = Shard.smallestSize(n, workers);
        if (data.batch() > shard) {
            throw new IllegalArgumentException("batch " + data.batch() + " is larger than a worker's shard of "
                    + shard + " samples (" + n + " samples / " + workers + " workers): lower --batch or --workers");
        }
    }

    /** Creates {@code dir} if needed and checks that a file can be created in it; {@code option} names the flag. */
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
        StringBuilder sb = new StringBuilder("trainer=").append(trainer);
        for (TrainerOption<?> o : Trainers.provider(trainer).options()) {
            sb.append(' ').append(o.name()).append('=').append(formatted(o));
        }
        sb.append(" workers=").append(workers).append(" model=").append(model());
        if (modelFactory == null && "mlp".equals(model)) {
            sb.append(" hidden=").append(join(hidden));
        }
        OptimizerConfig o = optimizer;
        sb.append(" data=").append(data.spec()).append(" epochs=").append(data.epochs()).append(" batch=")
                .append(data.batch()).append(" lr=").append(o.lr()).append(" momentum=").append(o.momentum())
                .append(o.nesterov() ? " nesterov" : "").append(" weight-decay=").append(o.weightDecay())
                .append(" schedule=").append(o.schedule().cliName()).append(" warmup-epochs=")
                .append(o.warmupEpochs()).append(" compress=").append(compression.cliName())
                .append(compression == Compression.TERNARY ? " ternary-threshold=" + ternaryThreshold : "")
                .append(errorFeedback ? "" : " error-feedback=off").append(" seed=")
                .append(seed);
        if (checkpoints.enabled()) {
            sb.append(" checkpoint-dir=").append(checkpoints.dir()).append(" checkpoint-every=")
                    .append(checkpoints.every()).append(checkpoints.resume() ? " resume" : "");
        }
        sb.append(output.evalEvery() > 0 ? " eval-every=" + output.evalEvery() : "")
                .append(maxIterations > 0 ? " max-iterations=" + maxIterations : "")
                .append(device != ComputeDevice.AUTO ? " device=" + device.cliName() : "")
                .append(straggler != null ? " straggler=" + straggler : "");
        return sb.toString();
    }

    /** The value of {@code o} as text ("none" for an absent text option). */
    public <T> String formatted(TrainerOption<T> o) {
        T v = option(o);
        return v == null ? "none" : o.format(v);
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

    /**
     * Builder of {@link TrainConfig}; every setter returns the builder. Setters check nothing (the string forms only
     * parse their text); {@link #build()} validates everything at once. Not thread-safe; a builder may build several
     * configurations.
     */
    public static final class Builder {
        private String trainer = DEFAULT_TRAINER;
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
        private boolean errorFeedback = true;
        private float ternaryThreshold = SparseTernaryCodec.DEFAULT_THRESHOLD;
        private long seed = 1;
        private Path checkpointDir;
        private long checkpointEvery;
        private boolean resume;
        private boolean resumeOverride;
        private long evalEvery;
        private long maxIterations;
        private Path outputDir;
        private ComputeDevice device = ComputeDevice.AUTO;
        private Straggler straggler;
        private final Map<String, String> options = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Makes one rank a straggler ({@code --straggler RANK:FACTOR}): its gradient computations take
         * {@code factor} times as long (see {@link Straggler}). Null for none (the default).
         *
         * @param s the straggler, or null
         * @return this builder
         */
        public Builder straggler(Straggler s) {
            this.straggler = s;
            return this;
        }

        /**
         * The {@code --straggler} text form, {@code RANK:FACTOR} (e.g. {@code 3:2}), or null for none.
         *
         * @param spec the text
         * @return this builder
         * @throws IllegalArgumentException (one line) if it does not parse
         */
        public Builder straggler(String spec) {
            this.straggler = spec == null ? null : Straggler.parse(spec);
            return this;
        }

        /**
         * The trainer ({@code --trainer}): {@code pipe} (the default), {@code sync}, or one of another module such as
         * {@code cocod}; see {@link Trainers#names()}. Its options are set with {@link #option(TrainerOption, Object)}.
         *
         * @param name the trainer's name, any case
         * @return this builder
         */
        public Builder trainer(String name) {
            this.trainer = name == null ? null : name.trim().toLowerCase(Locale.ROOT);
            return this;
        }

        /**
         * The number of ranks ({@code --workers}, default 1); the communicator given to {@link Trainer#train} must have
         * this many.
         *
         * @param n ranks, at least 1
         * @return this builder
         */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /**
         * A built-in model ({@code --model}): "mlp" (the default), "softmax", "cnn", "cnn-large" or "cnn:SPEC" (see
         * {@link io.ringsgd.pipesgd.model.CnnSpec}); replaces a plugged-in factory.
         *
         * @param name the model's name
         * @return this builder
         */
        public Builder model(String name) {
            this.model = name == null ? null : Models.normalize(name);
            this.modelFactory = null;
            return this;
        }

        /**
         * The hidden layer sizes of the MLP ({@code --hidden}, default 256, 128).
         *
         * @param sizes layer sizes, each at least 1
         * @return this builder
         */
        public Builder hidden(int... sizes) {
            this.hidden = sizes == null ? null : sizes.clone();
            return this;
        }

        /**
         * Plugs in a model of your own (overrides {@link #model(String)}); such a run computes on the CPU.
         *
         * @param factory called once per rank with the data's feature and class counts
         * @return this builder
         */
        public Builder modelFactory(ModelFactory factory) {
            this.modelFactory = factory;
            return this;
        }

        /**
         * The data set (default: Fashion-MNIST, see {@link DataSpec}).
         *
         * @param spec the data set
         * @return this builder
         */
        public Builder data(DataSpec spec) {
            this.data = spec;
            return this;
        }

        /**
         * The data set in the {@code --data} string form: {@code fashion-mnist}, {@code embedded},
         * {@code synthetic[:k=v,...]}, {@code mnist:DIR} or a directory of IDX files; see {@link DataSpec#parse}.
         *
         * @param spec the data set
         * @return this builder
         * @throws IllegalArgumentException (one line) if the string is malformed
         */
        public Builder data(String spec) {
            this.data = DataSpec.parse(spec);
            return this;
        }

        /**
         * Passes over the training set ({@code --epochs}, default 3).
         *
         * @param n epochs, at least 1
         * @return this builder
         */
        public Builder epochs(int n) {
            this.epochs = n;
            return this;
        }

        /**
         * The mini-batch of each worker ({@code --batch}, default 16): a step averages the gradients of workers ×
         * batch samples.
         *
         * @param perWorker samples per worker and step, at least 1
         * @return this builder
         */
        public Builder batch(int perWorker) {
            this.batch = perWorker;
            return this;
        }

        /**
         * The base learning rate ({@code --lr}); without it, the trainer's default ({@link TrainerProvider#defaults()}).
         *
         * @param rate a positive number
         * @return this builder
         */
        public Builder lr(double rate) {
            this.lr = rate;
            return this;
        }

        /**
         * The momentum ({@code --momentum}); without it, the trainer's default.
         *
         * @param mu in [0, 1); 0 is plain SGD
         * @return this builder
         */
        public Builder momentum(double mu) {
            this.momentum = mu;
            return this;
        }

        /**
         * Nesterov momentum ({@code --nesterov}, default off); needs a momentum above 0.
         *
         * @param on whether to use it
         * @return this builder
         */
        public Builder nesterov(boolean on) {
            this.nesterov = on;
            return this;
        }

        /**
         * L2 weight decay ({@code --weight-decay}, default 1e-4).
         *
         * @param lambda a finite number &gt;= 0
         * @return this builder
         */
        public Builder weightDecay(double lambda) {
            this.weightDecay = lambda;
            return this;
        }

        /**
         * The learning-rate schedule after the warm-up ({@code --schedule}, default cosine).
         *
         * @param s the schedule
         * @return this builder
         */
        public Builder schedule(Schedule s) {
            this.schedule = s;
            return this;
        }

        /**
         * The learning-rate schedule by name: {@code constant}, {@code step} or {@code cosine}.
         *
         * @param s the schedule's name
         * @return this builder
         * @throws IllegalArgumentException (one line) for another name
         */
        public Builder schedule(String s) {
            this.schedule = Schedule.parse(s);
            return this;
        }

        /**
         * Linear learning-rate warm-up ({@code --warmup-epochs}, default 0).
         *
         * @param epochs a finite number of epochs &gt;= 0, may be fractional
         * @return this builder
         */
        public Builder warmupEpochs(double epochs) {
            this.warmupEpochs = epochs;
            return this;
        }

        /**
         * Epochs between the steps of the step schedule ({@code --step-epochs}, default 1).
         *
         * @param epochs at least 1
         * @return this builder
         */
        public Builder stepEpochs(int epochs) {
            this.stepEpochs = epochs;
            return this;
        }

        /**
         * The factor of each step of the step schedule ({@code --step-factor}, default 0.5).
         *
         * @param factor a positive number
         * @return this builder
         */
        public Builder stepFactor(double factor) {
            this.stepFactor = factor;
            return this;
        }

        /**
         * Compression of the AllReduce traffic ({@code --compress}, default none); every lossy one gets error feedback
         * unless {@link #errorFeedback(boolean)} turns it off.
         *
         * @param c the compression
         * @return this builder
         */
        public Builder compression(Compression c) {
            this.compression = c;
            return this;
        }

        /**
         * Compression by name: {@code none}, {@code fp16}, {@code int8}, {@code 2bit}, {@code 1bit} or
         * {@code ternary}.
         *
         * @param c the compression's name
         * @return this builder
         * @throws IllegalArgumentException (one line) for another name
         */
        public Builder compression(String c) {
            this.compression = Compression.parse(c);
            return this;
        }

        /**
         * Error feedback of lossy compression on (the default) or off ({@code --error-feedback}).
         *
         * @param on whether to feed back what compression drops
         * @return this builder
         */
        public Builder errorFeedback(boolean on) {
            this.errorFeedback = on;
            return this;
        }

        /**
         * Threshold λ of the ternary format ({@code --ternary-threshold}).
         *
         * @param lambda finite, at least 0
         * @return this builder
         * @throws IllegalArgumentException (one line) otherwise
         */
        public Builder ternaryThreshold(float lambda) {
            this.ternaryThreshold = SparseTernaryCodec.checkThreshold(lambda);
            return this;
        }

        /**
         * Error feedback by name: {@code on} or {@code off}.
         *
         * @param s the setting
         * @return this builder
         * @throws IllegalArgumentException (one line) for another value
         */
        public Builder errorFeedback(String s) {
            String v = s.trim().toLowerCase(java.util.Locale.ROOT);
            if (!v.equals("on") && !v.equals("off")) {
                throw new IllegalArgumentException("--error-feedback takes on or off, got '" + s + "'");
            }
            this.errorFeedback = v.equals("on");
            return this;
        }

        /**
         * The seed of initialization and shuffling ({@code --seed}, default 1): runs with the same configuration and
         * seed end with the same parameters, bit for bit.
         *
         * @param s the seed
         * @return this builder
         */
        public Builder seed(long s) {
            this.seed = s;
            return this;
        }

        /**
         * Where checkpoints go ({@code --checkpoint-dir}, default none: no checkpoints); created if missing.
         *
         * @param dir a directory, or null for none
         * @return this builder
         */
        public Builder checkpointDir(Path dir) {
            this.checkpointDir = dir;
            return this;
        }

        /**
         * Iterations between checkpoints ({@code --checkpoint-every}, default 0: only at the end).
         *
         * @param iterations &gt;= 0
         * @return this builder
         */
        public Builder checkpointEvery(long iterations) {
            this.checkpointEvery = iterations;
            return this;
        }

        /**
         * Continue from the newest complete checkpoint of the checkpoint directory ({@code --resume}); the run then
         * ends with the same parameters as an uninterrupted one.
         *
         * @param on whether to resume
         * @return this builder
         */
        public Builder resume(boolean on) {
            this.resume = on;
            return this;
        }

        /**
         * Resume even where the optimizer settings or epochs differ from the checkpoint's ({@code --resume-override});
         * without it such a resume is refused.
         *
         * @param on whether to accept such changes
         * @return this builder
         */
        public Builder resumeOverride(boolean on) {
            this.resumeOverride = on;
            return this;
        }

        /**
         * Iterations between test evaluations besides those at every epoch's end ({@code --eval-every}, default 0:
         * none).
         *
         * @param iterations &gt;= 0
         * @return this builder
         */
        public Builder evalEvery(long iterations) {
            this.evalEvery = iterations;
            return this;
        }

        /**
         * Stop after this many iterations in total ({@code --max-iterations}, default 0: run all epochs).
         *
         * @param n &gt;= 0
         * @return this builder
         */
        public Builder maxIterations(long n) {
            this.maxIterations = n;
            return this;
        }

        /**
         * Where the CLI writes metrics.csv, metrics.png and summary.json ({@code --out}); checked to be writable by
         * {@link TrainConfig#checkEnvironment()}. {@link Trainer#train} writes nothing there itself.
         *
         * @param dir a directory, or null
         * @return this builder
         */
        public Builder outputDir(Path dir) {
            this.outputDir = dir;
            return this;
        }

        /**
         * Where to compute: auto (default), cpu, cuda or host-device; see {@link TrainConfig#device()}.
         *
         * @param d the device setting
         * @return this builder
         */
        public Builder device(ComputeDevice d) {
            this.device = d;
            return this;
        }

        /**
         * The {@code --device} string form: auto, cpu, cuda or host-device.
         *
         * @param d the device setting's name
         * @return this builder
         * @throws IllegalArgumentException (one line) for another name
         */
        public Builder device(String d) {
            this.device = ComputeDevice.parse(d);
            return this;
        }

        /**
         * An option of the trainer, as text ({@code --option key=value}); {@link #build()} checks that the trainer
         * declares it and that the value parses.
         *
         * @param key   the option's name, e.g. {@code "width"}
         * @param value its value as text
         * @return this builder
         * @throws IllegalArgumentException if the key is blank or either is null
         */
        public Builder option(String key, String value) {
            if (key == null || key.isBlank() || value == null) {
                throw new IllegalArgumentException("option key and value must be non-empty, got " + key + "="
                        + value);
            }
            options.put(key.trim().toLowerCase(Locale.ROOT), value);
            return this;
        }

        /**
         * Drops every trainer option given so far (before switching the configuration to another trainer).
         *
         * @return this builder
         */
        public Builder clearOptions() {
            options.clear();
            return this;
        }

        /**
         * An option of the trainer, typed: {@code option(PipeSgdTrainer.WIDTH, 2)}.
         *
         * @param o     the option, as its trainer declares it
         * @param value its value
         * @param <T>   the option's type
         * @return this builder
         */
        public <T> Builder option(TrainerOption<T> o, T value) {
            return option(o.name(), o.format(value));
        }

        /**
         * Validates every setting (the trainer's own options and {@link Trainer#validate} included) and builds. Reads
         * no file: see {@link TrainConfig#checkEnvironment()}.
         *
         * @return the configuration
         * @throws IllegalArgumentException one line naming the flag and what to do
         */
        public TrainConfig build() {
            if (trainer == null || trainer.isEmpty()) {
                throw new IllegalArgumentException("trainer is empty: pass --trainer " + String.join(", ",
                        Trainers.names()));
            }
            TrainerProvider provider = Trainers.provider(trainer);
            if (workers < 1) {
                throw new IllegalArgumentException("workers must be at least 1, got " + workers
                        + ": pass --workers 4 for example");
            }
            if (modelFactory == null) {
                checkModel();
            }
            DataConfig dataConfig = new DataConfig(data, batch, epochs);
            data.check();
            TrainerDefaults defaults = provider.defaults();
            OptimizerConfig optimizer = new OptimizerConfig(lr != null ? lr : defaults.lr(),
                    momentum != null ? momentum : defaults.momentum(), nesterov, weightDecay, schedule,
                    warmupEpochs, stepEpochs, stepFactor);
            if (compression == null) {
                throw new IllegalArgumentException("compression is null: pass --compress none, fp16, int8, 2bit, 1bit or ternary");
            }
            CheckpointConfig checkpoints = new CheckpointConfig(checkpointDir, checkpointEvery, resume,
                    resumeOverride);
            OutputConfig output = new OutputConfig(outputDir, evalEvery);
            if (maxIterations < 0) {
                throw new IllegalArgumentException("max-iterations must be >= 0 (0 = all epochs), got "
                        + maxIterations);
            }
            if (device == null) {
                throw new IllegalArgumentException("device is null: pass --device auto, cpu, cuda or host-device");
            }
            if (straggler != null && straggler.rank() >= workers) {
                throw new IllegalArgumentException("--straggler " + straggler + " names rank " + straggler.rank()
                        + " but there are " + workers + " workers (ranks 0 to " + (workers - 1)
                        + "): name one of them");
            }
            checkOptions(provider);
            TrainConfig cfg = new TrainConfig(this, optimizer, dataConfig, checkpoints, output);
            provider.create().validate(cfg);
            if (device.isDevicePath()) {
                String cpuOnly = cfg.cpuOnlyReason();
                if (cpuOnly != null) {
                    throw new IllegalArgumentException("--device " + device.cliName() + " but " + cpuOnly
                            + "; use --device cpu or auto");
                }
            }
            return cfg;
        }

        private void checkModel() {
            if (model == null || !Models.isBuiltIn(model)) {
                throw new IllegalArgumentException("unknown model '" + model + "': use --model mlp, softmax, cnn,"
                        + " cnn-large or cnn:SPEC");
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

        /** Every option given must be one the trainer declares, with a valid value. */
        private void checkOptions(TrainerProvider provider) {
            for (Map.Entry<String, String> e : options.entrySet()) {
                TrainerOption<?> o = declared(provider, e.getKey());
                if (o == null) {
                    List<String> owners = new ArrayList<>();
                    for (TrainerProvider p : Trainers.providers()) {
                        if (declared(p, e.getKey()) != null) {
                            owners.add(p.name());
                        }
                    }
                    List<String> own = new ArrayList<>();
                    provider.options().forEach(x -> own.add(x.name()));
                    // The command line has a --name flag only for the options some trainer declares.
                    String given = owners.isEmpty() ? "--option " + e.getKey() + "=" + e.getValue()
                            : TrainerOption.flag(e.getKey(), e.getValue());
                    throw new IllegalArgumentException(given + ": trainer "
                            + trainer + " has no option " + e.getKey() + (owners.isEmpty() ? ""
                            : " (it belongs to " + String.join(", ", owners) + ")") + "; drop it"
                            + (own.isEmpty() ? "" : " (the options of " + trainer + ": " + String.join(", ", own)
                            + ")"));
                }
                o.parse(e.getValue());
            }
        }

        private static TrainerOption<?> declared(TrainerProvider p, String name) {
            for (TrainerOption<?> o : p.options()) {
                if (o.name().equals(name)) {
                    return o;
                }
            }
            return null;
        }
    }
}

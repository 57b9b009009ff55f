package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Device;
import io.ringsgd.pipesgd.checkpoint.Checkpoint;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.compute.ComputeBackend;
import io.ringsgd.pipesgd.compute.ComputeDevice;
import io.ringsgd.pipesgd.compute.DeviceAgreement;
import io.ringsgd.pipesgd.compute.ModelVector;
import io.ringsgd.pipesgd.compute.ResolvedDevice;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.data.Seeds;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.ShardSampler;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.RowMajor;
import io.ringsgd.pipesgd.model.SlowedModel;
import io.ringsgd.pipesgd.optim.LrSchedule;
import io.ringsgd.pipesgd.optim.Optimizer;
import io.ringsgd.pipesgd.optim.SgdMomentum;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every data-parallel trainer is made of, set up from a {@link TrainConfig} on one rank: the shared data set
 * and this rank's shard sampler and reused batch, the model and its parameters (initialized identically on every
 * rank from the seed), the optimizer and learning-rate schedule, sharded test evaluation, checkpoints, timing and
 * listener events. A trainer supplies the loop; see {@code PipeSgdTrainer}. Not thread-safe: one per rank.
 *
 * <p><b>Where it computes.</b> The configuration's {@code --device} is resolved when the session opens
 * ({@link TrainConfig#resolveDevice()}); with {@code auto} and several ranks, the ranks then agree (one small
 * AllReduce) so that either all of them use CUDA or none does, since device and host AllReduces cannot be mixed.
 * The parameters, the optimizer state and the model's math live in the {@link #backend()}: host arrays with BLAS, or
 * a device ({@link ComputeBackend}). Trainers that {@linkplain Trainer#supportsDevices() support devices} use
 * {@link #parameters()}, {@link #applyUpdate(ModelVector, long)} and the backend; {@link #params()} and
 * {@link #applyUpdate(float[], long)} remain for CPU trainers. Close the session when the run ends (normally or not)
 * to release device memory.
 *
 * <p>Iteration t (0-based) uses the samples of epoch ⌊t / B⌋, batch t mod B of this rank's shuffled shard, where B
 * ({@link #batchesPerEpoch()}) is the smallest shard's size divided by the batch size, so every rank runs the same
 * number of iterations.
 */
public final class TrainingSession implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TrainingSession.class);
    /** Samples per evaluation batch. */
    public static final int EVAL_BATCH = 500;

    private final Communicator comm;
    private final TrainConfig cfg;
    private final TrainingListener listener;
    private final String trainerName;
    private final int width;
    private final int rank;
    private final int workers;
    private final TrainTestData data;
    private final Model model;
    /** The live parameters on the CPU; on a device, the host copy {@link #params()} refreshes. */
    private final float[] params;
    private final Optimizer optimizer;
    private final ResolvedDevice resolvedDevice;
    private final ComputeBackend backend;
    private final ModelVector paramsVector;
    private final boolean onDevice;
    private final boolean observesParameters;
    private final LrSchedule schedule;
    private final ShardSampler sampler;
    private final IterationTrace trace;
    private final Batch batch;
    private final int batchesPerEpoch;
    private final long totalIterations;
    private final Batch evalBatch;
    private final SessionCheckpoints checkpoints;
    private final double[] evalSums = new double[3];
    private final double[] timeSums = new double[2];

    private long startIteration;
    private long startNanos;
    /** The transport's byte count when training started (−1: it does not count). */
    private long startBytes = -1;
    private long evalNanos;
    private long checkpointNanos;
    private long computeNanos;
    private long waitNanos;
    private long updates;
    private int epoch = -1;
    private long epochIterations;
    private double epochLoss;
    private long epochCompute;
    private long epochWait;
    private final List<EvaluationStats> evaluations = new ArrayList<>();
    private final List<EpochStats> epochs = new ArrayList<>();
    private final Map<String, Object> trainerStats = new LinkedHashMap<>();

    private TrainingSession(Communicator comm, TrainConfig cfg, Trainer trainer, int width,
            TrainingListener listener) {
        this.comm = comm;
        this.cfg = cfg;
        this.listener = listener == null ? TrainingListener.NONE : listener;
        this.trainerName = trainer.name();
        this.width = width;
        this.rank = comm.rank();
        this.workers = comm.size();
        if (workers != cfg.workers()) {
            throw new IllegalArgumentException("the configuration says " + cfg.workers() + " workers but the "
                    + "communicator has " + workers + " ranks: pass --workers " + workers);
        }
        this.data = DataSets.load(cfg.data().spec());
        cfg.checkAgainst(data);
        Dataset train = data.train();
        Model created = cfg.modelFactory().create(data.featureCount(), data.classCount());
        Straggler straggler = cfg.straggler();
        this.model = straggler != null && straggler.rank() == rank ? new SlowedModel(created, straggler.factor())
                : created;
        if (model.inputSize() != data.featureCount() || model.classCount() != data.classCount()) {
            throw new IllegalArgumentException("model " + model.describe() + " takes " + model.inputSize()
                    + " features and " + model.classCount() + " classes but the data has " + data.featureCount()
                    + " and " + data.classCount() + ": fix the model factory");
        }
        this.params = initialParameters(model, cfg.seed());
        int shards = trainer.shards(workers);
        int shard = trainer.shardOf(rank, workers);
        this.batchesPerEpoch = batchesPerEpoch(cfg, train.size(), shards);
        long all = (long) cfg.data().epochs() * batchesPerEpoch;
        this.totalIterations = cfg.maxIterations() > 0 ? Math.min(all, cfg.maxIterations()) : all;
        this.schedule = scheduleFor(cfg, batchesPerEpoch);
        this.sampler = shard < 0 ? null : new ShardSampler(Shard.of(train, shard, shards), cfg.seed());
        this.trace = new IterationTrace(comm.tracer(), rank);
        this.batch = new Batch(cfg.data().batch(), data.featureCount());
        this.evalBatch = new Batch(EVAL_BATCH, data.featureCount());
        this.checkpoints = new SessionCheckpoints(comm, cfg.checkpoints(), fingerprint(trainer),
                SessionCheckpoints.changeable(cfg));
        this.observesParameters = this.listener.observesParameters();
        this.resolvedDevice = DeviceAgreement.agree(comm, cfg.device(), cfg.resolveDevice());
        this.onDevice = resolvedDevice.device() != ComputeDevice.CPU;
        OptimizerConfig o = cfg.optimizer();
        if (!onDevice) {
            this.optimizer = new SgdMomentum(params.length, o.momentum(), o.nesterov(), o.weightDecay());
            this.backend = ComputeBackend.host(model, params, optimizer);
        } else {
            this.optimizer = null;
            Device device = DeviceAgreement.open(resolvedDevice.device(), rank);
            try {
                this.backend = ComputeBackend.device(device, true, model, params, o.momentum(), o.nesterov(),
                        o.weightDecay());
            } catch (RuntimeException | Error e) {
                device.close();
                throw e;
            }
        }
        this.paramsVector = backend.parameters();
    }

    /** What a resumed run must share with its checkpoint: the run's shape and the trainer's own settings. */
    private Map<String, String> fingerprint(Trainer trainer) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("trainer", trainerName);
        f.put("model", model.describe());
        f.put("parameters", Integer.toString(params.length));
        f.put("workers", Integer.toString(workers));
        f.put("width", Integer.toString(width));
        f.put("compression", cfg.compression().cliName());
        f.put("batch", Integer.toString(cfg.data().batch()));
        f.put("data", cfg.data().spec().toString());
        f.put("seed", Long.toString(cfg.seed()));
        f.putAll(trainer.resumeSettings(cfg));
        return f;
    }

    /**
     * Sets up rank {@code comm.rank()}'s part of a run of {@code trainer} with pipeline width {@code width} (1 for
     * trainers without a pipeline). Loads the data (shared per JVM) and checks it against the configuration.
     */
    public static TrainingSession open(Communicator comm, TrainConfig cfg, Trainer trainer, int width,
            TrainingListener listener) {
        return new TrainingSession(comm, cfg, trainer, width, listener);
    }

    /** The parameters every rank starts from for job seed {@code seed} (a function of the seed only). */
    public static float[] initialParameters(Model model, long seed) {
        float[] p = new float[model.parameterCount()];
        model.initialize(p, Seeds.derive(seed, 0x1A17, 0));
        return p;
    }

    /** Iterations per epoch of {@code cfg} on a training set of {@code trainSize} samples (same on every rank). */
    public static int batchesPerEpoch(TrainConfig cfg, int trainSize) {
        return batchesPerEpoch(cfg, trainSize, cfg.workers());
    }

    /** Iterations per epoch when the training set is cut into {@code shards} shards (one per computing rank). */
    public static int batchesPerEpoch(TrainConfig cfg, int trainSize, int shards) {
        return Shard.smallestSize(trainSize, shards) / cfg.data().batch();
    }

    /** The learning-rate schedule of {@code cfg} in iterations (epochs converted with {@code batchesPerEpoch}). */
    public static LrSchedule scheduleFor(TrainConfig cfg, int batchesPerEpoch) {
        OptimizerConfig o = cfg.optimizer();
        return new LrSchedule(o.lr(), o.schedule(), Math.round(o.warmupEpochs() * batchesPerEpoch),
                (long) o.stepEpochs() * batchesPerEpoch, o.stepFactor(), (long) cfg.data().epochs() * batchesPerEpoch);
    }

    // ------------------------------------------------------------------------------------------ accessors

    /**
     * The run's communicator (a trainer issues its collectives on it, from the rank's thread).
     *
     * @return the communicator
     */
    public Communicator comm() {
        return comm;
    }

    /**
     * The run's configuration.
     *
     * @return the configuration
     */
    public TrainConfig config() {
        return cfg;
    }

    /**
     * The listener the events go to.
     *
     * @return the listener
     */
    public TrainingListener listener() {
        return listener;
    }

    /**
     * This rank.
     *
     * @return the rank in the communicator
     */
    public int rank() {
        return rank;
    }

    /**
     * Ranks of the run.
     *
     * @return the communicator's size
     */
    public int workers() {
        return workers;
    }

    /**
     * The shared data set.
     *
     * @return the train and test sets
     */
    public TrainTestData data() {
        return data;
    }

    /**
     * This rank's model (its own work buffers).
     *
     * @return the model
     */
    public Model model() {
        return model;
    }

    /**
     * The parameters as host floats (identical on every rank after every update of a synchronous trainer): on the CPU
     * the live vector; on a device a host copy, downloaded by this call and overwritten by the next one.
     */
    public float[] params() {
        if (onDevice) {
            backend.download(paramsVector, params);
        }
        return params;
    }

    /** The live parameters, where the backend keeps them. */
    public ModelVector parameters() {
        return paramsVector;
    }

    /** Where the math runs: host arrays or a device. */
    public ComputeBackend backend() {
        return backend;
    }

    /** What {@code --device} resolved to and why. */
    public ResolvedDevice device() {
        return resolvedDevice;
    }

    /**
     * Parameters of the model.
     *
     * @return the length of the parameter vector
     */
    public int parameterCount() {
        return params.length;
    }

    /**
     * The CPU optimizer, for trainers working on host arrays.
     *
     * @throws IllegalStateException on a device, where the optimizer state is in {@link #backend()}
     *     ({@code optimizerState()})
     */
    public Optimizer optimizer() {
        if (optimizer == null) {
            throw new IllegalStateException("the optimizer runs on " + backend.describe() + ": use backend()"
                    + ".optimizerState() and applyUpdate(ModelVector, long)");
        }
        return optimizer;
    }

    /**
     * The learning-rate schedule in iterations.
     *
     * @return the schedule
     */
    public LrSchedule schedule() {
        return schedule;
    }

    /** The reused batch {@link #loadBatch} fills. */
    public Batch batch() {
        return batch;
    }

    /** Iterations per epoch (the same on every rank). */
    public int batchesPerEpoch() {
        return batchesPerEpoch;
    }

    /** Iterations of the whole run (epochs × batches per epoch, or fewer with max-iterations). */
    public long totalIterations() {
        return totalIterations;
    }

    /** First iteration of this invocation (above 0 after a resume). */
    public long startIteration() {
        return startIteration;
    }

    /** Epoch of iteration {@code t}. */
    public int epochOf(long t) {
        return (int) (t / batchesPerEpoch);
    }

    /** Learning rate of the gradient computed at iteration {@code t}. */
    public double learningRate(long t) {
        return schedule.rate(t);
    }

    // ------------------------------------------------------------------------------------------ the loop

    /**
     * Fills {@link #batch()} with this rank's samples of iteration {@code t}.
     *
     * @throws IllegalStateException on a rank that trains on no shard ({@link Trainer#shardOf})
     */
    public void loadBatch(long t) {
        if (sampler == null) {
            throw new IllegalStateException("rank " + rank + " of trainer " + trainerName + " has no training data");
        }
        long t0 = trace.on() ? System.nanoTime() : 0;
        sampler.fill(t, batchesPerEpoch, cfg.data().batch(), batch);
        if (t0 != 0) {
            trace.batch(t0, System.nanoTime(), t);
        }
    }

    /** This rank's steps on the communicator's timeline (spans are recorded only with {@code --trace}). */
    public IterationTrace trace() {
        return trace;
    }

    /** Starts the clock and tells the listener; call once, after {@link #restore()}. */
    public void start() {
        startNanos = System.nanoTime();
        startBytes = comm.bytesSent();
        listener.onStart(new TrainingStarted(trainerName, rank, workers, width, model.describe(), params.length,
                data.description(), data.embeddedSubset(), batchesPerEpoch, totalIterations, startIteration,
                RowMajor.blasName(), backend.describe(), resolvedDevice.reason()));
        if (rank == 0) {
            log.info("device: {} ({})", backend.describe(), resolvedDevice.reason());
            log.info("{} width {} on {} workers: {} ({} parameters), {}, {} iterations of batch {} per worker "
                    + "({} per epoch), from iteration {}, BLAS {}", trainerName, width, workers, model.describe(),
                    params.length, data.description(), totalIterations, cfg.data().batch(), batchesPerEpoch,
                    startIteration, RowMajor.blasName());
        }
    }

    /**
     * Applies {@code grad}, the averaged gradient computed at iteration {@code gradientIteration} (CPU only).
     *
     * @throws IllegalStateException on a device: use {@link #applyUpdate(ModelVector, long)}
     */
    public void applyUpdate(float[] grad, long gradientIteration) {
        long t0 = trace.on() ? System.nanoTime() : 0;
        optimizer().step(params, grad, schedule.rate(gradientIteration));
        if (t0 != 0) {
            trace.update(t0, System.nanoTime(), gradientIteration);
        }
        listener.onParametersUpdated(updates++, params);
    }

    /**
     * Applies {@code grad}, the averaged gradient computed at iteration {@code gradientIteration}, wherever the
     * backend computes. On a device the listener gets the parameters (downloaded) only if it
     * {@linkplain TrainingListener#observesParameters() reads them}.
     */
    public void applyUpdate(ModelVector grad, long gradientIteration) {
        long t0 = trace.on() ? System.nanoTime() : 0;
        backend.step(grad, schedule.rate(gradientIteration));
        if (t0 != 0) {
            trace.update(t0, System.nanoTime(), gradientIteration);
        }
        if (!onDevice) {
            listener.onParametersUpdated(updates++, params);
        } else if (observesParameters) {
            listener.onParametersUpdated(updates++, params());
        } else {
            updates++;
        }
    }

    /**
     * Records iteration {@code t}: its loss, the rate of the update applied in it (0 if none), and its compute and
     * wait times; tells the listener, and closes the epoch at its last iteration.
     */
    public void iterationDone(long t, double loss, double lr, long compute, long wait) {
        int e = epochOf(t);
        if (e != epoch) {
            epoch = e;
            epochIterations = 0;
            epochLoss = 0;
            epochCompute = 0;
            epochWait = 0;
        }
        computeNanos += compute;
        waitNanos += wait;
        epochIterations++;
        epochLoss += loss;
        epochCompute += compute;
        epochWait += wait;
        long now = System.nanoTime();
        if (listener != TrainingListener.NONE) {
            listener.onIteration(new IterationStats(rank, t, e, loss, lr, compute, wait, trainSeconds(now)));
        }
        if ((t + 1) % batchesPerEpoch == 0 || t + 1 == totalIterations) {
            EpochStats s = new EpochStats(rank, e, epochIterations, t + 1, epochLoss / epochIterations, epochCompute,
                    epochWait, trainSeconds(now));
            epochs.add(s);
            listener.onEpochEnd(s);
        }
    }

    /** Whether to evaluate after iteration {@code t}: at every epoch's end and every eval-every iterations. */
    public boolean evaluationDue(long t) {
        long done = t + 1;
        if (done >= totalIterations) {
            return false;
        }
        long every = cfg.output().evalEvery();
        return done % batchesPerEpoch == 0 || (every > 0 && done % every == 0);
    }

    /** Whether to checkpoint after iteration {@code t} (the final checkpoint is written by {@link #finish}). */
    public boolean checkpointDue(long t) {
        long done = t + 1;
        long every = cfg.checkpoints().every();
        return checkpoints.enabled() && every > 0 && done % every == 0 && done < totalIterations;
    }

    /**
     * Evaluates the current parameters on the test set: each rank takes its strided share, the sums are all-reduced,
     * so every rank gets the same numbers. Collective. Its time counts as evaluation, not training.
     */
    public Evaluation evaluate(long iterationsDone, boolean last) {
        long t0 = System.nanoTime();
        Dataset test = data.test();
        Evaluation.Tally tally = new Evaluation.Tally();
        int n = test.size();
        int k = 0;
        while (rank + (long) k * workers < n) {
            int m = 0;
            evalBatch.resize(EVAL_BATCH);
            while (m < EVAL_BATCH && rank + (long) k * workers < n) {
                evalBatch.set(m++, test, rank + k * workers);
                k++;
            }
            evalBatch.resize(m);
            backend.evaluateBatch(paramsVector, evalBatch, tally);
        }
        evalSums[0] = tally.samples();
        evalSums[1] = tally.correct();
        evalSums[2] = tally.lossSum();
        comm.allreduce(evalSums, ReduceOp.SUM);
        Evaluation ev = new Evaluation((long) evalSums[0], (long) evalSums[1], evalSums[2]);
        long t1 = System.nanoTime();
        evalNanos += t1 - t0;
        trace.evaluate(t0, t1, iterationsDone);
        EvaluationStats s = new EvaluationStats(rank, iterationsDone, epochOf(Math.max(0, iterationsDone - 1)),
                ev.accuracy(), ev.meanLoss(), (t1 - t0) / 1e9, trainSeconds(t1), (t1 - startNanos) / 1e9, last);
        evaluations.add(s);
        listener.onEvaluation(s);
        if (rank == 0) {
            log.info("iteration {} (epoch {}): test accuracy {}, loss {}", iterationsDone, s.epoch() + 1,
                    String.format("%.4f", ev.accuracy()), String.format("%.4f", ev.meanLoss()));
        }
        return ev;
    }

    // ------------------------------------------------------------------------------------------ checkpoints

    /** True if this run writes checkpoints. */
    public boolean checkpointing() {
        return checkpoints.enabled();
    }

    /**
     * A shared checkpoint of the state after {@code iteration} iterations with the configuration fingerprint, the
     * parameters and the optimizer state; the trainer adds its own entries.
     */
    public Checkpoint newSharedCheckpoint(long iteration) {
        Checkpoint c = checkpoints.newShared(iteration);
        c.put("params", hostState(paramsVector));
        for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
            c.put("optimizer." + e.getKey(), hostState(e.getValue()));
        }
        return c;
    }

    /**
     * {@code v} as host floats for a checkpoint or a result: the live array on the CPU, a fresh download on a device
     * (a checkpoint keeps the arrays it is given until it is written).
     */
    public float[] hostState(ModelVector v) {
        return onDevice ? backend.toHost(v) : v.array();
    }

    /** Overwrites {@code v} with saved host floats (a resume). */
    public void restoreState(float[] saved, ModelVector v) {
        backend.upload(saved, v);
    }

    /** This rank's checkpoint of the state after {@code iteration} iterations; the trainer adds its entries. */
    public Checkpoint newRankCheckpoint(long iteration) {
        Checkpoint c = new Checkpoint(iteration);
        c.put("rank", Integer.toString(rank));
        c.put("workers", Integer.toString(workers));
        return c;
    }

    /**
     * Writes a checkpoint (collective): every rank writes its own state, then, once all have, rank 0 writes the
     * shared state, so the newest shared file always has all its rank files. Checkpoints older than the previous one
     * are deleted afterwards. Its time counts as checkpoint time, not training. A rank that cannot write makes every
     * rank throw its {@link CheckpointException}.
     */
    public void saveCheckpoint(Checkpoint shared, Checkpoint rankState) {
        long t0 = System.nanoTime();
        Path sharedFile = checkpoints.save(shared, rankState);
        checkpointNanos += System.nanoTime() - t0;
        listener.onCheckpoint(rankState.iteration(), sharedFile);
    }

    /**
     * Adds compute and wait time spent outside iterations (e.g. applying the gradients still in a pipeline after the
     * last iteration) to the run's totals.
     */
    public void addTimes(long compute, long wait) {
        computeNanos += compute;
        waitNanos += wait;
    }

    /**
     * Records a number the trainer measured (e.g. a delay histogram) for this rank's result and {@code summary.json}
     * ({@link TrainResult#trainerStats()}); call before {@link #finish}.
     *
     * @param name  the key, e.g. "delay_histogram"
     * @param value a number, a text, or a map of them
     */
    public void putTrainerStat(String name, Object value) {
        trainerStats.put(name, value);
    }

    /** Adds time spent on checkpoint work outside {@link #saveCheckpoint} (e.g. draining a pipeline). */
    public void addCheckpointNanos(long nanos) {
        checkpointNanos += nanos;
    }

    /** State loaded by {@link #restore()}: the shared checkpoint and this rank's. */
    public record Restored(Checkpoint shared, Checkpoint rank) {
    }

    /**
     * If the configuration asks to resume: finds the newest complete checkpoint (rank 0 decides and broadcasts the
     * shared state, so other ranks need not see its file), checks that it belongs to this configuration (a changed
     * optimizer setting or epoch count only with {@code --resume-override}), loads the parameters and optimizer
     * state, and returns both checkpoints for the trainer's own state; returns null when not resuming or when the
     * directory holds no checkpoint. Collective; every rank fails alike on a bad checkpoint, with the message of the
     * rank that found it.
     */
    public Restored restore() {
        Restored r = checkpoints.restore(totalIterations);
        if (r == null) {
            return null;
        }
        Checkpoint shared = r.shared();
        restoreState(shared.requireArray("params", params.length), paramsVector);
        for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
            restoreState(shared.requireArray("optimizer." + e.getKey(), e.getValue().length()), e.getValue());
        }
        startIteration = shared.iteration();
        if (rank == 0) {
            log.info("resuming from {} at iteration {} (epoch {})", checkpoints.sharedFile(startIteration),
                    startIteration, epochOf(startIteration) + 1);
        }
        return r;
    }

    // ------------------------------------------------------------------------------------------ the end

    /**
     * Releases what the backend holds (device memory, streams, the device). Call it when the run ends, normally or
     * by an exception; idempotent.
     */
    @Override
    public void close() {
        backend.close();
    }

    /** Training seconds at {@code now}: wall time minus evaluation and checkpoint time. */
    public double trainSeconds(long now) {
        return (now - startNanos - evalNanos - checkpointNanos) / 1e9;
    }

    /**
     * Ends the run after {@code iterationsDone} iterations: the final evaluation, the final checkpoint (if
     * {@code finalShared} is given), timings averaged over ranks, the result. Collective.
     */
    public TrainResult finish(long iterationsDone, Checkpoint finalShared, Checkpoint finalRank) {
        long endBytes = comm.bytesSent();
        long wireBytes = startBytes < 0 || endBytes < 0 ? -1 : endBytes - startBytes;
        Evaluation last = evaluate(iterationsDone, true);
        if (checkpoints.enabled() && finalShared != null && finalRank != null) {
            saveCheckpoint(finalShared, finalRank);
        }
        long end = System.nanoTime();
        timeSums[0] = computeNanos / 1e6;
        timeSums[1] = waitNanos / 1e6;
        comm.allreduce(timeSums, ReduceOp.AVG);
        TrainResult r = TrainResult.builder().config(cfg).trainer(trainerName).width(width).workers(workers)
                .rank(rank).model(model.describe()).parameterCount(params.length).data(data.description())
                .iterations(iterationsDone).startIteration(startIteration)
                .finalTest(last.accuracy(), last.meanLoss())
                .seconds((end - startNanos) / 1e9, trainSeconds(end), evalNanos / 1e9, checkpointNanos / 1e9)
                .computeAndWait(computeNanos / 1e6, waitNanos / 1e6, timeSums[0], timeSums[1])
                .parameters(onDevice ? params() : params).evaluations(evaluations).epochStats(epochs)
                .device(backend.describe()).trainerStats(trainerStats).wireBytesSent(wireBytes).build();
        if (rank == 0) {
            log.info("done: {}", r);
        }
        listener.onFinish(r);
        return r;
    }
}

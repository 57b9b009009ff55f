package io.ringsgd.cocod;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.pipesgd.checkpoint.Checkpoint;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.compute.ComputeBackend;
import io.ringsgd.pipesgd.compute.ModelVector;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.ShardSampler;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingSession;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * CoCoD-SGD (Shen et al., "Faster Distributed Deep Net Training: Computation and Communication Decoupled Stochastic
 * Gradient Descent", IJCAI 2019): what travels is the model, not the gradient, and it travels while the worker keeps
 * computing. A round of τ = {@code --local-steps} iterations (default 4) starts by snapshotting the parameters and
 * starting a non-blocking AllReduce of the snapshot; the worker then takes τ local SGD steps (its own mini-batches,
 * its own momentum buffer) while the average is in flight; at the round's end it waits for the average A and sets
 * {@code params = A + (params − snapshot)}, the average plus the local progress made meanwhile, and the next round
 * starts. Communication is thus hidden behind τ steps of compute, and its volume is one model per τ iterations.
 * With τ = 1 every iteration averages, and the average of the previous snapshot overlaps one step. The trainer names
 * no transport and assumes nothing about its speed: a slow (or emulated, {@code --net-latency}) link only lengthens
 * the wait at the rounds' ends, which {@link io.ringsgd.pipesgd.train.IterationStats#commWaitNanos()} reports.
 *
 * <p>Consensus points: before every evaluation (each epoch's end and every {@code --eval-every} iterations) and at
 * the end, the round in progress is closed and a blocking average makes every rank hold the same, bit-identical
 * model, so every rank evaluates and saves the same parameters. The round after a consensus point needs no
 * communication (averaging identical models would give them back), so it runs τ purely local steps.
 *
 * <p>Options ({@link CocodOptions}): {@code cocod.weighted=true} weights the average by each rank's mini-batch size
 * (each rank pre-scales its contribution by w_i / Σw, Σw being all-reduced once at the start, and the AllReduce sums;
 * pre-scaling rather than sending the weight along keeps the weights exact under compression);
 * {@code cocod.batch-sizes=b0,b1,...} gives ranks unequal batches.
 *
 * <p>Compression ({@code --compress fp16|int8}, the compressed ring): a rank sends its model's difference from the
 * latest average rather than the model (see {@code ModelAverage}), with error feedback on that difference. The
 * difference is the local progress of about one round, small and centred, which the codecs represent with a small
 * step; raw weights would be quantized with steps set by the largest weights of each block, re-injecting noise of the
 * size of a round's progress into the consensus every round. Error feedback carries what one round's quantization
 * drops into the next, so no progress is lost for good. The consensus averages take the same compressed path.
 * The README has the measured comparison; the tests check that int8 and fp16 end within 1 point of accuracy and 1 %
 * of loss of the uncompressed run.
 *
 * <p>Convergence: on softmax regression (convex, 4 workers, 3 epochs) τ = 1, 4 and 8 end within 2 % of the test loss
 * and 1 point of the test accuracy of synchronous SGD with the same settings; CocodSgdTrainerTest asserts that
 * tolerance. On two ranks the trainer equals a serial reference of the algorithm bit
 * for bit. Every rank ends bit-identical whatever the transport, because the averages are (a property of the
 * collectives) and every rank folds them the same way; between consensus points the ranks' parameters differ by
 * design. The local models drift apart by up to 2τ local steps (τ of the round plus the τ of the previous round not
 * yet averaged), which is why cocod defaults to lr 0.025 with momentum 0.95 (see {@link CocodTrainerProvider}).
 *
 * <p>Checkpoints ({@code --checkpoint-every}) wait for the average in flight (which does not change the result) and
 * save it with the shared state, and each rank's parameters, snapshot, momentum and error-feedback residual with its
 * own state, so {@code --resume} continues bit for bit. Momentum buffers stay per rank throughout.
 *
 * <p>Devices ({@code --device cuda} or {@code host-device}): the parameters, snapshot, gradient, momentum and the
 * average's vectors live in device memory, the local steps run there, and the model average is the device AllReduce
 * (compressed: downloaded, reduced by the compressed host ring, uploaded). The round arithmetic is the backend's,
 * which rounds as the CPU loops do.
 */
public final class CocodSgdTrainer implements Trainer {
    /** The registry name. */
    public static final String NAME = "cocod";
    /** Local steps τ between model averages when {@code --local-steps} is not given. */
    public static final int DEFAULT_LOCAL_STEPS = 4;

    private static final Logger log = LoggerFactory.getLogger(CocodSgdTrainer.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(TrainConfig cfg) {
        CocodOptions.of(cfg);
        if (!cfg.errorFeedback()) {
            throw new IllegalArgumentException("trainer cocod always feeds back what compression drops (its average is of"
                    + " model differences): drop --error-feedback off, which applies to sync and pipe");
        }
    }

    @Override
    public Map<String, String> resumeSettings(TrainConfig cfg) {
        return Map.of(CocodOptions.LOCAL_STEPS.name(), Integer.toString(cfg.option(CocodOptions.LOCAL_STEPS)));
    }

    @Override
    public boolean supportsDevices() {
        return true;
    }

    @Override
    public TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener) {
        validate(cfg);
        try (TrainingSession s = TrainingSession.open(comm, cfg, this, 1, listener)) {
            return new Run(s, CocodOptions.of(cfg)).run();
        }
    }

    /** One rank's run: its snapshot, the average in flight and the round bookkeeping. */
    private static final class Run {
        private static final String META_ROUND_START = "cocod.round-start";
        private static final String META_LOCAL_ROUND = "cocod.local-round";
        private static final String META_CONSENSUS = "cocod.consensus";
        private static final String META_WEIGHTED = "cocod.weighted";
        private static final String META_BATCH_SIZES = "cocod.batch-sizes";
        private static final String ARRAY_AVERAGE = "cocod.average";
        private static final String ARRAY_PARAMS = "cocod.params";
        private static final String ARRAY_SNAPSHOT = "cocod.snapshot";
        private static final String ARRAY_RESIDUAL = "cocod.residual";
        private static final String ARRAY_OPTIMIZER = "cocod.optimizer.";

        private final TrainingSession s;
        private final ComputeBackend backend;
        private final CocodOptions options;
        private final int tau;
        private final int n;
        private final long total;
        private final ModelVector params;
        private final ModelVector snapshot;
        private final ModelVector grad;
        private final int batchSize;
        private final int batchesPerEpoch;
        private final ShardSampler ownSampler;
        private ModelAverage average;

        /** First iteration of the round in progress. */
        private long roundStart;
        /** True if the round in progress started from a consensus and has no average to fold in. */
        private boolean localRound = true;
        /** True while every rank holds the same parameters (at the start and after each consensus point). */
        private boolean consensus = true;

        Run(TrainingSession s, CocodOptions options) {
            this.s = s;
            this.options = options;
            TrainConfig cfg = s.config();
            this.tau = options.localSteps();
            this.n = s.parameterCount();
            this.total = s.totalIterations();
            this.backend = s.backend();
            this.params = s.parameters();
            this.snapshot = backend.newVector();
            this.grad = backend.newVector();
            int rank = s.rank();
            this.batchSize = options.batchSize(rank);
            int smallest = Shard.smallestSize(s.data().train().size(), s.workers());
            for (int r = 0; r < s.workers(); r++) {
                if (options.batchSize(r) > smallest) {
                    throw new IllegalArgumentException(CocodOptions.BATCH_SIZES.name() + " gives rank " + r
                            + " a batch of "
                            + options.batchSize(r) + ", larger than the smallest shard of " + smallest + " samples: "
                            + "lower it or use fewer workers");
                }
            }
            this.batchesPerEpoch = smallest / batchSize;
            this.ownSampler = batchSize == cfg.data().batch() ? null
                    : new ShardSampler(Shard.of(s.data().train(), rank, s.workers()), cfg.seed());
        }

        TrainResult run() {
            double share = Double.NaN;
            if (options.weighted()) {
                double[] sum = {options.batchSize(s.rank())};
                s.comm().allreduce(sum, ReduceOp.SUM);
                share = options.batchSize(s.rank()) / sum[0];
            }
            average = new ModelAverage(s.comm(), backend, params, s.config().collectiveOptions(), share);
            long start = restore();
            s.start();
            if (s.rank() == 0) {
                log.info("cocod: {} local steps per model average, {} average over batch sizes {}, compression {}",
                        tau, options.weighted() ? "batch-weighted" : "plain", options.batchSizesText(),
                        s.config().compression().cliName());
            }
            Batch batch = s.batch();
            for (long t = start; t < total; t++) {
                long c0 = System.nanoTime();
                long wait = 0;
                if (t - roundStart == tau) {
                    wait += endRound();
                    beginRound(t);
                }
                if (ownSampler == null) {
                    s.loadBatch(t);
                } else {
                    ownSampler.fill(t, batchesPerEpoch, batchSize, batch);
                }
                long g0 = System.nanoTime();
                double loss = backend.lossAndGradient(params, batch, grad);
                s.trace().gradient(g0, System.nanoTime(), t);
                double lr = s.learningRate(t);
                s.applyUpdate(grad, t);
                consensus = false;
                if (t + 1 == total || s.evaluationDue(t)) {
                    wait += reachConsensus(t + 1);
                }
                s.iterationDone(t, loss, lr, System.nanoTime() - c0 - wait, wait);
                if (s.checkpointDue(t)) {
                    long d0 = System.nanoTime();
                    average.complete();
                    s.addCheckpointNanos(System.nanoTime() - d0);
                    s.saveCheckpoint(sharedCheckpoint(t + 1), rankCheckpoint(t + 1));
                }
                if (s.evaluationDue(t)) {
                    s.evaluate(t + 1, false);
                }
            }
            long end = Math.max(start, total);
            if (!consensus) {
                // Only when resuming a mid-run checkpoint of a longer run at this run's last iteration.
                long f0 = System.nanoTime();
                long wait = reachConsensus(end);
                s.addTimes(System.nanoTime() - f0 - wait, wait);
            }
            return s.finish(end, s.checkpointing() ? sharedCheckpoint(end) : null,
                    s.checkpointing() ? rankCheckpoint(end) : null);
        }

        /** Closes the round: waits for its average and adds the local progress to it. Returns the time blocked. */
        private long endRound() {
            long w0 = System.nanoTime();
            long waited = average.complete();
            long w1 = System.nanoTime();
            s.trace().waitFor(w0, w0 + waited, roundStart);
            if (!localRound) {
                // params = average + (params − snapshot), as two exactly rounded steps: p − s, then + a.
                backend.axpy(-1f, snapshot, params);
                backend.axpy(1f, average.reference(), params);
                s.trace().combine(w1, System.nanoTime(), roundStart);
            }
            return waited;
        }

        /** Snapshots the parameters and starts averaging the snapshot; the round's local steps follow. */
        private void beginRound(long t) {
            backend.copy(params, snapshot);
            average.start(snapshot);
            roundStart = t;
            localRound = false;
        }

        /**
         * A consensus point after {@code iterationsDone} iterations: closes the round in progress, then averages the
         * parameters and waits, so every rank holds the same bits. Returns the time blocked.
         */
        private long reachConsensus(long iterationsDone) {
            long waited = endRound();
            average.start(params);
            waited += average.complete();
            backend.copy(average.reference(), params);
            roundStart = iterationsDone;
            localRound = true;
            consensus = true;
            return waited;
        }

        private Checkpoint sharedCheckpoint(long iteration) {
            if (average.inFlight()) {
                throw new IllegalStateException("checkpoint with a model average still in flight");
            }
            Checkpoint c = s.newSharedCheckpoint(iteration);
            c.put(META_ROUND_START, Long.toString(roundStart));
            c.put(META_LOCAL_ROUND, Boolean.toString(localRound));
            c.put(META_CONSENSUS, Boolean.toString(consensus));
            c.put(META_WEIGHTED, Boolean.toString(options.weighted()));
            c.put(META_BATCH_SIZES, options.batchSizesText());
            c.put(ARRAY_AVERAGE, s.hostState(average.reference()));
            return c;
        }

        private Checkpoint rankCheckpoint(long iteration) {
            Checkpoint c = s.newRankCheckpoint(iteration);
            c.put(ARRAY_PARAMS, s.hostState(params));
            c.put(ARRAY_SNAPSHOT, s.hostState(snapshot));
            for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
                c.put(ARRAY_OPTIMIZER + e.getKey(), s.hostState(e.getValue()));
            }
            if (average.residual() != null) {
                c.put(ARRAY_RESIDUAL, average.residual());
            }
            return c;
        }

        /** Loads the round state of a checkpoint if resuming; returns the first iteration to run. */
        private long restore() {
            TrainingSession.Restored r = s.restore();
            if (r == null) {
                return 0;
            }
            Checkpoint shared = r.shared();
            Checkpoint mine = r.rank();
            long at = shared.iteration();
            String file = s.config().checkpoints().dir() + " (iteration " + at + ")";
            expect(shared, META_WEIGHTED, Boolean.toString(options.weighted()), CocodOptions.WEIGHTED.name(), file);
            expect(shared, META_BATCH_SIZES, options.batchSizesText(), CocodOptions.BATCH_SIZES.name(), file);
            try {
                roundStart = Long.parseLong(shared.requireMeta(META_ROUND_START));
            } catch (NumberFormatException e) {
                throw new CheckpointException("checkpoint " + file + " has a bad " + META_ROUND_START + " '"
                        + shared.meta(META_ROUND_START) + "': corrupt checkpoint");
            }
            if (roundStart > at || at - roundStart > tau) {
                throw new CheckpointException("checkpoint " + file + " says its round started at iteration "
                        + roundStart + ", impossible with " + tau + " local steps: corrupt checkpoint");
            }
            localRound = Boolean.parseBoolean(shared.requireMeta(META_LOCAL_ROUND));
            consensus = Boolean.parseBoolean(shared.requireMeta(META_CONSENSUS));
            s.restoreState(shared.requireArray(ARRAY_AVERAGE, n), average.reference());
            s.restoreState(mine.requireArray(ARRAY_PARAMS, n), params);
            s.restoreState(mine.requireArray(ARRAY_SNAPSHOT, n), snapshot);
            for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
                s.restoreState(mine.requireArray(ARRAY_OPTIMIZER + e.getKey(), e.getValue().length()), e.getValue());
            }
            if (average.residual() != null) {
                System.arraycopy(mine.requireArray(ARRAY_RESIDUAL, n), 0, average.residual(), 0, n);
            }
            return at;
        }

        private static void expect(Checkpoint c, String key, String want, String option, String file) {
            String got = c.requireMeta(key);
            if (!want.equals(got)) {
                throw new CheckpointException("checkpoint " + file + " was written with " + option + " " + got
                        + ", this run has " + want + ": resume with the same " + option
                        + " or use another --checkpoint-dir");
            }
        }
    }
}

package io.ringsgd.cocod;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
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
import java.util.Arrays;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Elastic Bulk Synchronous Parallel (Zhao et al., "Elastic Bulk Synchronous Parallel Model for Distributed Deep
 * Learning", ICDM 2019): instead of a barrier after every iteration, which makes every worker wait for the slowest,
 * each round ends at a barrier placed by {@link ZipLine} where the workers' predicted iteration end times lie closest
 * together, and each worker takes its own number of local SGD steps before it: a worker twice as fast takes twice as
 * many. At the barrier the models are averaged, each weighted by the samples its worker took in the round.
 *
 * <p>The average is overlapped as CoCoD-SGD's is, with the same machinery ({@link ModelAverage}): a round starts by
 * snapshotting the model and starting a non-blocking weighted AllReduce of it, the local steps run meanwhile, and at
 * the round's end the worker takes the average plus its own progress since the snapshot. Each worker's time per step
 * travels with it (a small non-blocking AllReduce of one slot per rank, exact since every other slot is zero), so
 * every rank feeds ZipLine the same numbers and makes the same decision; the decision for the next round therefore
 * uses the speeds measured one round earlier. The first two rounds, before any speed is known, take
 * {@code ebsp.min-steps} steps on every worker.
 *
 * <p>Progress is counted in samples: the run takes as many mini-batches in all as synchronous SGD does in the same
 * epochs (P × iterations), the last round cut to fit; iteration t of the progress output and the learning-rate
 * schedule is the point where P·t mini-batches have been taken in all. Each worker draws its batches from its own
 * shard in its own order (a fast worker passes over its shard more often). Consensus points, where a blocking
 * weighted average makes every rank hold the same model, come at each epoch's end (and {@code --eval-every}), where
 * the model is evaluated, and at the end.
 *
 * <p>Checkpoints are written at the first round boundary after each {@code --checkpoint-every} iterations; with
 * {@code ebsp.step-times} (the deterministic mode, see {@link EbspOptions}) a resumed run ends bit for bit as an
 * uninterrupted one. With measured times the barriers depend on the machine's timing, so two runs differ. CPU only;
 * {@code --compress} compresses the model averages as CoCoD-SGD's.
 */
public final class ElasticBspTrainer implements Trainer {
    /** The registry name. */
    public static final String NAME = "ebsp";

    private static final Logger log = LoggerFactory.getLogger(ElasticBspTrainer.class);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(TrainConfig cfg) {
        EbspOptions.of(cfg);
        if (!cfg.errorFeedback()) {
            throw new IllegalArgumentException("trainer ebsp always feeds back what compression drops (its average is of"
                    + " model differences): drop --error-feedback off, which applies to sync and pipe");
        }
    }

    @Override
    public String label(TrainConfig cfg) {
        return "ebsp";
    }

    @Override
    public Map<String, String> resumeSettings(TrainConfig cfg) {
        return Map.of(EbspOptions.LOOKAHEAD.name(), cfg.formatted(EbspOptions.LOOKAHEAD),
                EbspOptions.MIN_STEPS.name(), cfg.formatted(EbspOptions.MIN_STEPS),
                EbspOptions.STEP_TIMES.name(), cfg.formatted(EbspOptions.STEP_TIMES));
    }

    @Override
    public TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener) {
        validate(cfg);
        try (TrainingSession s = TrainingSession.open(comm, cfg, this, 1, listener)) {
            return new Run(s, EbspOptions.of(cfg)).run();
        }
    }

    /** One rank's run. */
    private static final class Run {
        private static final String META_SAMPLES = "ebsp.batches-done";
        private static final String META_STEPS = "ebsp.steps";
        private static final String META_LAST_STEPS = "ebsp.last-steps";
        private static final String META_CONSENSUS = "ebsp.consensus";
        private static final String META_LOCAL_STEPS = "ebsp.local-steps";
        private static final String META_STEP_TIME = "ebsp.step-time";
        private static final String META_ROUNDS = "ebsp.rounds";
        private static final String ARRAY_AVERAGE = "ebsp.average";
        private static final String ARRAY_PARAMS = "ebsp.params";
        private static final String ARRAY_OPTIMIZER = "ebsp.optimizer.";
        private static final String ARRAY_RESIDUAL = "ebsp.residual";

        private final TrainingSession s;
        private final Communicator comm;
        private final ComputeBackend backend;
        private final EbspOptions options;
        private final int rank;
        private final int ranks;
        private final int n;
        private final long total;
        /** Mini-batches the whole run takes, P × iterations. */
        private final long budget;
        private final ModelVector params;
        private final ModelVector snapshot;
        private final ModelVector grad;
        private final ShardSampler sampler;
        private final double[] timesOut;
        private final double[] timesIn;
        private final ModelAverage average;

        /** Mini-batches taken by all ranks together so far (known alike on every rank). */
        private long batchesDone;
        /** This rank's steps so far: its sampler's position. */
        private long localSteps;
        /** Each rank's steps in the coming round. */
        private int[] steps;
        /** Each rank's steps in the round just ended (the weights of the next average); null after a consensus. */
        private int[] lastSteps;
        /** This rank's time per step in the round just ended, ms (0: not measured yet). */
        private double stepTime;
        /** True while every rank holds the same parameters. */
        private boolean consensus = true;
        private long rounds;
        /** True while the round in progress has an average in flight to fold in at its end. */
        private boolean averaging;
        /** The next iteration index to report to the session. */
        private long reported;
        private Request timing;

        Run(TrainingSession s, EbspOptions options) {
            this.s = s;
            this.options = options;
            this.comm = s.comm();
            this.backend = s.backend();
            this.rank = s.rank();
            this.ranks = s.workers();
            this.n = s.parameterCount();
            this.total = s.totalIterations();
            this.budget = total * ranks;
            this.params = s.parameters();
            this.snapshot = backend.newVector();
            this.grad = backend.newVector();
            this.sampler = new ShardSampler(Shard.of(s.data().train(), rank, ranks), s.config().seed());
            this.timesOut = new double[ranks];
            this.timesIn = new double[ranks];
            this.average = new ModelAverage(comm, backend, params, s.config().collectiveOptions(), Double.NaN);
            this.steps = new int[ranks];
            Arrays.fill(steps, options.minSteps());
        }

        TrainResult run() {
            restore();
            s.start();
            if (rank == 0) {
                log.info("ebsp: ZipLine over {} predicted points per worker, at least {} local steps per round, "
                        + "step times {}", options.lookahead(), options.minSteps(),
                        Double.isNaN(options.fixedStepTime(0)) ? "measured" : "fixed (deterministic mode)");
            }
            while (batchesDone < budget) {
                fitToBudget();
                localSteps(beginRound());
                endRound();
                boolean last = batchesDone >= budget;
                long before = (batchesDone - sum(lastSteps)) / ranks;
                long done = batchesDone / ranks;
                boolean evaluate = !last && crosses(before, done, s.batchesPerEpoch())
                        || !last && crosses(before, done, s.config().output().evalEvery());
                if (last || evaluate) {
                    long w0 = System.nanoTime();
                    long waited = reachConsensus();
                    s.addTimes(System.nanoTime() - w0 - waited, waited);
                }
                if (!last && s.checkpointing() && crosses(before, done, s.config().checkpoints().every())) {
                    s.saveCheckpoint(sharedCheckpoint(done), rankCheckpoint(done));
                }
                if (evaluate) {
                    s.evaluate(done, false);
                }
            }
            return s.finish(total, s.checkpointing() ? sharedCheckpoint(total) : null,
                    s.checkpointing() ? rankCheckpoint(total) : null);
        }

        private static boolean crosses(long before, long after, long every) {
            return every > 0 && after / every > before / every;
        }

        private static int sum(int[] a) {
            int t = 0;
            for (int x : a) {
                t += x;
            }
            return t;
        }

        /** Cuts the coming round so that the run takes exactly its budget of mini-batches (same on every rank). */
        private void fitToBudget() {
            long remaining = budget - batchesDone;
            int all = sum(steps);
            if (all <= remaining) {
                return;
            }
            int[] cut = new int[ranks];
            long given = 0;
            for (int i = 0; i < ranks; i++) {
                cut[i] = (int) (steps[i] * remaining / all);
                given += cut[i];
            }
            for (int i = 0; given < remaining; i = (i + 1) % ranks) {
                if (cut[i] < steps[i]) {
                    cut[i]++;
                    given++;
                }
            }
            steps = cut;
        }

        /**
         * Starts the round: the weighted average of the snapshot (unless every rank holds the same model) and the
         * exchange of step times. Returns the nanoseconds spent, counted as waiting.
         */
        private long beginRound() {
            long t0 = System.nanoTime();
            averaging = !consensus;
            if (averaging) {
                backend.copy(params, snapshot);
                average.startWeighted(snapshot, (double) lastSteps[rank] / sum(lastSteps));
            }
            Arrays.fill(timesOut, 0);
            timesOut[rank] = stepTime;
            timing = comm.iallreduce(timesOut, 0, timesIn, 0, ranks, ReduceOp.SUM);
            return System.nanoTime() - t0;
        }

        /** This rank's steps of the round; {@code startWait} is the time the round's start took. */
        private void localSteps(long startWait) {
            int mine = steps[rank];
            long all = sum(steps);
            long carryCompute = 0;
            long carryWait = startWait;
            double loss = 0;
            long stepNanos = 0;
            Batch batch = s.batch();
            for (int j = 0; j < mine; j++) {
                long c0 = System.nanoTime();
                long at = Math.min(total - 1, iterationAt(j, mine, all));
                sampler.fill(localSteps, s.batchesPerEpoch(), s.config().data().batch(), batch);
                long g0 = System.nanoTime();
                loss = backend.lossAndGradient(params, batch, grad);
                s.trace().gradient(g0, System.nanoTime(), at);
                double lr = s.learningRate(at);
                s.applyUpdate(grad, at);
                localSteps++;
                long took = System.nanoTime() - c0;
                stepNanos += took;
                carryCompute += took;
                long upTo = Math.min(total, iterationAt(j + 1, mine, all));
                while (reported < upTo) {
                    s.iterationDone(reported++, loss, lr, carryCompute, carryWait);
                    carryCompute = 0;
                    carryWait = 0;
                }
            }
            if (carryCompute + carryWait > 0) {
                s.addTimes(carryCompute, carryWait);
            }
            if (mine > 0) {
                double fixed = options.fixedStepTime(rank);
                stepTime = Double.isNaN(fixed) ? stepNanos / 1e6 / mine : fixed;
            }
        }

        /** The iteration index reached after {@code j} of this rank's {@code mine} steps, when all take {@code all}. */
        private long iterationAt(int j, int mine, long all) {
            return (batchesDone * mine + j * all) / ((long) ranks * mine);
        }

        /** Closes the round: folds the average in, learns the step times, and places the next barrier. */
        private void endRound() {
            long w0 = System.nanoTime();
            average.complete();
            timing.await();
            long w1 = System.nanoTime();
            s.trace().waitFor(w0, w1, reported);
            if (averaging) {
                fold();
                averaging = false;
            }
            s.addTimes(System.nanoTime() - w1, w1 - w0);
            rounds++;
            batchesDone += sum(steps);
            // Shared knowledge: some rank stepped, so the models differ (a rank with no step in a cut round too).
            consensus = consensus && sum(steps) == 0;
            lastSteps = steps;
            steps = decide(timesIn);
        }

        /** params = average + (params − snapshot), as two exactly rounded steps (as CoCoD-SGD does). */
        private void fold() {
            backend.axpy(-1f, snapshot, params);
            backend.axpy(1f, average.reference(), params);
        }

        /** The next round's steps from every rank's step time (m steps each while any is unknown). */
        private int[] decide(double[] times) {
            int[] next = new int[ranks];
            for (double t : times) {
                if (!(t > 0)) {
                    Arrays.fill(next, options.minSteps());
                    return next;
                }
            }
            ZipLine.Decision d = ZipLine.decide(ZipLine.predict(new double[ranks], times, options.minSteps(),
                    options.lookahead()));
            for (int i = 0; i < ranks; i++) {
                next[i] = options.minSteps() + d.points()[i];
            }
            return next;
        }

        /** A blocking weighted average of the parameters: every rank then holds the same bits. Returns time blocked. */
        private long reachConsensus() {
            if (consensus) {
                return 0;
            }
            average.startWeighted(params, (double) lastSteps[rank] / sum(lastSteps));
            long waited = average.complete();
            backend.copy(average.reference(), params);
            consensus = true;
            return waited;
        }

        private Checkpoint sharedCheckpoint(long iteration) {
            Checkpoint c = s.newSharedCheckpoint(iteration);
            c.put(META_SAMPLES, Long.toString(batchesDone));
            c.put(META_STEPS, TrainConfig.join(steps));
            c.put(META_LAST_STEPS, TrainConfig.join(lastSteps));
            c.put(META_CONSENSUS, Boolean.toString(consensus));
            c.put(META_ROUNDS, Long.toString(rounds));
            c.put(ARRAY_AVERAGE, s.hostState(average.reference()));
            return c;
        }

        private Checkpoint rankCheckpoint(long iteration) {
            Checkpoint c = s.newRankCheckpoint(iteration);
            c.put(META_LOCAL_STEPS, Long.toString(localSteps));
            c.put(META_STEP_TIME, Double.toString(stepTime));
            c.put(ARRAY_PARAMS, s.hostState(params));
            for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
                c.put(ARRAY_OPTIMIZER + e.getKey(), s.hostState(e.getValue()));
            }
            if (average.residual() != null) {
                c.put(ARRAY_RESIDUAL, average.residual());
            }
            return c;
        }

        /** Loads the round state of a checkpoint if resuming. */
        private void restore() {
            TrainingSession.Restored r = s.restore();
            if (r == null) {
                return;
            }
            Checkpoint shared = r.shared();
            Checkpoint mine = r.rank();
            String file = s.config().checkpoints().dir() + " (iteration " + shared.iteration() + ")";
            try {
                batchesDone = Long.parseLong(shared.requireMeta(META_SAMPLES));
                steps = parseSteps(shared.requireMeta(META_STEPS), file);
                lastSteps = parseSteps(shared.requireMeta(META_LAST_STEPS), file);
                rounds = Long.parseLong(shared.requireMeta(META_ROUNDS));
                localSteps = Long.parseLong(mine.requireMeta(META_LOCAL_STEPS));
                stepTime = Double.parseDouble(mine.requireMeta(META_STEP_TIME));
            } catch (NumberFormatException e) {
                throw new CheckpointException("checkpoint " + file + " has a malformed ebsp entry (" + e.getMessage()
                        + "): corrupt checkpoint");
            }
            if (batchesDone / ranks != shared.iteration() || batchesDone > budget) {
                throw new CheckpointException("checkpoint " + file + " says " + batchesDone + " mini-batches were"
                        + " taken, which does not fit its iteration: corrupt checkpoint");
            }
            consensus = Boolean.parseBoolean(shared.requireMeta(META_CONSENSUS));
            reported = shared.iteration();
            s.restoreState(shared.requireArray(ARRAY_AVERAGE, n), average.reference());
            s.restoreState(mine.requireArray(ARRAY_PARAMS, n), params);
            for (Map.Entry<String, ModelVector> e : backend.optimizerState().entrySet()) {
                s.restoreState(mine.requireArray(ARRAY_OPTIMIZER + e.getKey(), e.getValue().length()), e.getValue());
            }
            if (average.residual() != null) {
                System.arraycopy(mine.requireArray(ARRAY_RESIDUAL, n), 0, average.residual(), 0, n);
            }
        }

        private int[] parseSteps(String text, String file) {
            String[] parts = text.split(",");
            if (parts.length != ranks) {
                throw new CheckpointException("checkpoint " + file + " lists " + parts.length + " workers' steps for "
                        + ranks + " workers: corrupt checkpoint");
            }
            int[] out = new int[ranks];
            for (int i = 0; i < ranks; i++) {
                out[i] = Integer.parseInt(parts[i].trim());
            }
            return out;
        }
    }
}

package io.ringsgd.pipesgd.pipe;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.pipesgd.checkpoint.Checkpoint;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.compute.ComputeBackend;
import io.ringsgd.pipesgd.compute.InFlight;
import io.ringsgd.pipesgd.compute.ModelVector;
import io.ringsgd.pipesgd.compute.ComputeDevice;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.dp.DpGradient;
import io.ringsgd.pipesgd.dp.DpSettings;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingSession;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pipe-SGD with pipeline width K. Iteration t computes the gradient g_t of this rank's mini-batch at the current
 * parameters into slot t mod K of a ring of K gradient buffers, starts a non-blocking AVG AllReduce of it, then waits
 * for the AllReduce of g_{t−K+1} (started K−1 iterations earlier, so it overlapped their computation) and applies it:
 * the update of step t uses a gradient K−1 steps stale. The first K−1 iterations (after the synchronous warm-up) only
 * fill the pipeline; after the last iteration the gradients still in flight are applied in order, so every gradient is
 * applied exactly once whatever K. Each gradient is applied with the learning rate of the iteration that computed it.
 *
 * <p>K = 1 is synchronous AllReduce SGD (trainer {@code sync}). {@code syncWarmup} iterations run with K = 1 before the
 * pipeline starts. With {@code --compress fp16|int8} the AllReduce is the compressed ring and each rank keeps an
 * error-feedback residual per slot ({@link ErrorFeedback}), which that slot's AllReduce fills with exactly what its
 * encodings dropped on this rank and the slot's next gradient carries: the error of step t reaches the model at t + K.
 * {@code --compress 2bit|1bit|ternary} take the encoded all-gather instead of the ring, with the same residuals;
 * {@code --error-feedback off} drops the residuals (what the encodings drop is lost), to measure what they buy.
 *
 * <p>Every rank holds bit-identical parameters after every update: they start identical (same seed), the averaged
 * gradients are bit-identical (a property of the collectives) and the update is deterministic. A checkpoint waits
 * for the AllReduces in flight and saves their results (identical on every rank) with the shared state, and each
 * rank's residual with its own state, so a resumed run continues bit for bit, without changing the trajectory.
 * The final checkpoint is written after the pipeline has been drained; continuing from it with more iterations
 * refills the pipeline, so it is not bit-identical to a single longer run.
 *
 * <p>On a device ({@code --device cuda} or {@code host-device}) the K gradient slots, the parameters and the momentum
 * are device buffers: gradients are computed there, all-reduced by the device AllReduce straight from device memory
 * (non-blocking, in issue order with the other collectives), and applied by the device's SGD step; only the loss
 * (one float per iteration) comes back to the host. With compression a slot is downloaded, error-compensated,
 * reduced by the compressed host ring and uploaded when awaited.
 *
 * <p>With {@code --dp} ({@link DpSettings}) each slot's gradient is the rank's differentially private part instead
 * ({@link DpGradient}: Poisson batch, per-sample weighting, the rank's share of the noise), on the CPU; the AllReduce
 * and the update are unchanged, and ε of the steps taken goes into the result's trainer statistics.
 */
public final class PipeSgdTrainer implements Trainer {
    /** The registry name of the pipelined trainer. */
    public static final String PIPE = "pipe";
    /** The registry name of synchronous SGD (width 1). */
    public static final String SYNC = "sync";
    /** Pipeline width of {@code pipe} when {@code --width} is not given. */
    public static final int DEFAULT_WIDTH = 2;
    /** Largest pipeline width accepted (each slot holds one gradient vector). */
    public static final int MAX_WIDTH = 64;
    /** {@code pipe}'s pipeline width K. */
    public static final TrainerOption<Integer> WIDTH = TrainerOption.integer("width", DEFAULT_WIDTH, 1, MAX_WIDTH,
            "Pipe-SGD pipeline width K: the gradient AllReduce overlaps the next K-1 iterations (1 = synchronous)");
    /** {@code sync}'s width: accepted for symmetry with pipe, and only as 1. */
    public static final TrainerOption<Integer> SYNC_WIDTH = TrainerOption.integer("width", 1, 1, MAX_WIDTH,
            "always 1: synchronous SGD is Pipe-SGD of width 1");
    /** Synchronous iterations before {@code pipe}'s pipeline starts. */
    public static final TrainerOption<Long> SYNC_WARMUP = TrainerOption.count("sync-warmup", 0, 0,
            "synchronous (width 1) iterations before the pipeline starts");

    private final String name;
    private final boolean synchronous;

    private PipeSgdTrainer(String name, boolean synchronous) {
        this.name = name;
        this.synchronous = synchronous;
    }

    /** The pipelined trainer ({@code pipe}); its width comes from the configuration. */
    public static PipeSgdTrainer pipelined() {
        return new PipeSgdTrainer(PIPE, false);
    }

    /** Synchronous AllReduce SGD ({@code sync}): Pipe-SGD of width 1. */
    public static PipeSgdTrainer synchronous() {
        return new PipeSgdTrainer(SYNC, true);
    }

    @Override
    public String name() {
        return name;
    }

    /** The width this trainer runs {@code cfg} with. */
    public int width(TrainConfig cfg) {
        return synchronous ? 1 : cfg.option(WIDTH);
    }

    /** The options of {@code sync} ({@code pipe}'s when {@code pipelined}), DP's included. */
    static List<TrainerOption<?>> options(boolean pipelined) {
        List<TrainerOption<?>> o = new ArrayList<>(pipelined ? List.of(WIDTH, SYNC_WARMUP) : List.of(SYNC_WIDTH));
        o.addAll(DpSettings.OPTIONS);
        return List.copyOf(o);
    }

    @Override
    public void validate(TrainConfig cfg) {
        if (synchronous && cfg.option(SYNC_WIDTH) != 1) {
            throw new IllegalArgumentException("trainer sync is synchronous SGD (width 1), got --width "
                    + cfg.option(SYNC_WIDTH) + ": drop --width or use --trainer pipe");
        }
        DpSettings.of(cfg);
    }

    @Override
    public String label(TrainConfig cfg) {
        return synchronous ? name : name + " width " + width(cfg);
    }

    @Override
    public Map<String, String> resumeSettings(TrainConfig cfg) {
        Map<String, String> m = new LinkedHashMap<>();
        if (!synchronous) {
            m.put(SYNC_WARMUP.name(), Long.toString(cfg.option(SYNC_WARMUP)));
        }
        DpSettings dp = DpSettings.of(cfg);
        if (dp != null) {
            m.putAll(dp.resumeSettings());
        }
        return m;
    }

    @Override
    public boolean supportsDevices() {
        return true;
    }

    @Override
    public TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener) {
        validate(cfg);
        int k = width(cfg);
        DpSettings dp = DpSettings.of(cfg);
        // Per-sample gradients are computed on the CPU: --device auto must not pick a device for a DP run.
        TrainConfig run = dp != null && cfg.device() == ComputeDevice.AUTO
                ? cfg.toBuilder().device(ComputeDevice.CPU).build() : cfg;
        try (TrainingSession s = TrainingSession.open(comm, run, this, k, listener)) {
            return new Run(s, k, synchronous ? 0 : cfg.option(SYNC_WARMUP), dp).run();
        }
    }

    /** One rank's run: the gradient ring and its bookkeeping. */
    private static final class Run {
        private final TrainingSession s;
        private final Communicator comm;
        private final ComputeBackend backend;
        private final int k;
        private final int n;
        private final long warmup;
        private final long total;
        private final ModelVector[] slots;
        private final InFlight[] pending;
        private final long[] slotIteration;
        private final CollectiveOptions options;
        private final ErrorFeedback feedback;
        private final DpGradient dp;

        Run(TrainingSession s, int k, long warmup, DpSettings dp) {
            this.s = s;
            this.comm = s.comm();
            this.backend = s.backend();
            this.k = k;
            this.n = s.parameterCount();
            this.warmup = warmup;
            this.total = s.totalIterations();
            this.slots = new ModelVector[k];
            for (int i = 0; i < k; i++) {
                slots[i] = backend.newVector();
            }
            this.pending = new InFlight[k];
            this.slotIteration = new long[k];
            Arrays.fill(slotIteration, -1);
            Compression c = s.config().compression();
            this.options = s.config().collectiveOptions();
            this.feedback = c == Compression.NONE || !s.config().errorFeedback() ? null
                    : new ErrorFeedback(options, n, k);
            this.dp = dp == null ? null : new DpGradient(s, dp);
        }

        /**
         * The iteration whose gradient step t applies, or -1 for none: during the synchronous warm-up its own, then
         * the one K−1 iterations back, except those the warm-up already applied.
         */
        long due(long t) {
            if (t < warmup) {
                return t;
            }
            long g = t - (k - 1);
            return g >= warmup ? g : -1;
        }

        TrainResult run() {
            long start = restore();
            s.start();
            Batch batch = s.batch();
            ModelVector params = s.parameters();
            for (long t = start; t < total; t++) {
                long c0 = System.nanoTime();
                int slot = (int) (t % k);
                if (slotIteration[slot] >= 0) {
                    throw new IllegalStateException("pipeline slot " + slot + " still holds the gradient of iteration "
                            + slotIteration[slot] + " at iteration " + t);
                }
                double loss;
                long g0;
                if (dp == null) {
                    s.loadBatch(t);
                    g0 = System.nanoTime();
                    loss = backend.lossAndGradient(params, batch, slots[slot]);
                } else {
                    g0 = System.nanoTime();
                    loss = dp.compute(t, params.array(), slots[slot].array());
                }
                s.trace().gradient(g0, System.nanoTime(), t);
                pending[slot] = backend.iallreduce(comm, slots[slot], ReduceOp.AVG, options,
                        feedback == null ? null : feedback.slot(slot));
                slotIteration[slot] = t;
                long c1 = System.nanoTime();
                long wait = 0;
                double lr = 0;
                long g = due(t);
                // The due gradient is absent only after resuming from a drained (final) checkpoint, whose gradients
                // were all applied: the pipeline then refills.
                if (g >= 0 && slotIteration[(int) (g % k)] == g) {
                    int j = (int) (g % k);
                    wait = awaitSlot(j);
                    lr = s.learningRate(g);
                    apply(j);
                }
                long c2 = System.nanoTime();
                s.iterationDone(t, loss, lr, (c2 - c0) - wait, wait);
                if (s.checkpointDue(t)) {
                    long d0 = System.nanoTime();
                    drainRequests();
                    s.addCheckpointNanos(System.nanoTime() - d0);
                    s.saveCheckpoint(sharedCheckpoint(t + 1), rankCheckpoint(t + 1));
                }
                if (s.evaluationDue(t)) {
                    s.evaluate(t + 1, false);
                }
            }
            long f0 = System.nanoTime();
            long drainWait = 0;
            for (int j : slotsInOrder()) {
                drainWait += awaitSlot(j);
                apply(j);
            }
            s.addTimes(System.nanoTime() - f0 - drainWait, drainWait);
            long end = Math.max(start, total);
            if (dp != null) {
                dp.report(end);
            }
            return s.finish(end, s.checkpointing() ? sharedCheckpoint(end) : null,
                    s.checkpointing() ? rankCheckpoint(end) : null);
        }

        /** Waits for slot j's AllReduce if still in flight; returns the nanoseconds blocked. */
        private long awaitSlot(int j) {
            InFlight r = pending[j];
            if (r == null) {
                return 0;
            }
            long w0 = System.nanoTime();
            r.await();
            pending[j] = null;
            long w1 = System.nanoTime();
            s.trace().waitFor(w0, w1, slotIteration[j]);
            return w1 - w0;
        }

        private void apply(int j) {
            s.applyUpdate(slots[j], slotIteration[j]);
            slotIteration[j] = -1;
        }

        private void drainRequests() {
            for (int j = 0; j < k; j++) {
                awaitSlot(j);
            }
        }

        /** Occupied slots, oldest gradient first. */
        private int[] slotsInOrder() {
            List<Integer> js = new ArrayList<>();
            for (int j = 0; j < k; j++) {
                if (slotIteration[j] >= 0) {
                    js.add(j);
                }
            }
            js.sort((a, b) -> Long.compare(slotIteration[a], slotIteration[b]));
            return js.stream().mapToInt(Integer::intValue).toArray();
        }

        private Checkpoint sharedCheckpoint(long iteration) {
            Checkpoint c = s.newSharedCheckpoint(iteration);
            StringBuilder inflight = new StringBuilder();
            for (int j : slotsInOrder()) {
                if (pending[j] != null) {
                    throw new IllegalStateException("checkpoint with an AllReduce still in flight");
                }
                inflight.append(inflight.length() == 0 ? "" : ",").append(slotIteration[j]);
                c.put("inflight." + slotIteration[j], s.hostState(slots[j]));
            }
            c.put("inflight", inflight.toString());
            return c;
        }

        private Checkpoint rankCheckpoint(long iteration) {
            Checkpoint c = s.newRankCheckpoint(iteration);
            if (feedback != null) {
                c.put("residual", feedback.state());
            }
            return c;
        }

        /** Loads the pipeline state of a checkpoint if resuming; returns the first iteration to run. */
        private long restore() {
            TrainingSession.Restored r = s.restore();
            if (r == null) {
                return 0;
            }
            long start = r.shared().iteration();
            String inflight = r.shared().requireMeta("inflight");
            if (!inflight.isEmpty()) {
                for (String part : inflight.split(",")) {
                    long g = Long.parseLong(part.trim());
                    if (g >= start || g < start - (k - 1)) {
                        throw new CheckpointException("checkpoint at iteration " + start + " holds an in-flight "
                                + "gradient of iteration " + g + ", impossible with width " + k + ": corrupt checkpoint");
                    }
                    int j = (int) (g % k);
                    s.restoreState(r.shared().requireArray("inflight." + g, n), slots[j]);
                    slotIteration[j] = g;
                }
            }
            if (feedback != null) {
                float[] res = r.rank().array("residual");
                if (res != null && res.length == n && k > 1) {
                    // Written with a single residual (before one per slot): it becomes slot 0's.
                    float[] state = new float[k * n];
                    System.arraycopy(res, 0, state, 0, n);
                    feedback.restore(state);
                } else {
                    feedback.restore(r.rank().requireArray("residual", k * n));
                }
            }
            return start;
        }
    }
}

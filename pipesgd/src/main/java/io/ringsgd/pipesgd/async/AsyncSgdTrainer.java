package io.ringsgd.pipesgd.async;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;
import io.ringsgd.pipesgd.checkpoint.Checkpoint;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingSession;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Distributed asynchronous SGD (DASGD; Zhou et al., "Distributed Asynchronous Optimization with Unbounded Delays:
 * How Slow Can You Go?", ICML 2018): rank 0, the master, holds the model and the update counter n; every rank is a
 * worker that pulls the model with the n it was read at, computes a gradient on its own shard and pushes it back with
 * that n. The master applies every gradient the moment it arrives, x ← x − α_n (g + λx) with the step size of
 * {@code --lr-schedule} ({@link StepSizes}), records its delay (n now minus n read), and hands the worker the current
 * model. Nobody waits for anybody: a slow worker only contributes fewer, staler gradients.
 *
 * <p>Rank 0 is a worker too, so that all P ranks compute: its progress thread serves the other ranks, whose pushes
 * and pulls are point-to-point messages over the communicator's transport inside one custom collective per segment
 * (the run between two consensus points), while its training thread is its own worker, taking the model and applying
 * its gradients under the lock that the serving thread applies the others' under (and relaying progress to the
 * listener). A segment ends at each epoch's end (and every {@code --eval-every} iterations): the master stops handing
 * out gradients once it has handed out the segment's share, every outstanding gradient is applied, and a broadcast
 * gives every rank the master's model, bit for bit, which is evaluated. One iteration, as the progress output and
 * {@code --epochs} count them, is P applied gradients, the samples one synchronous step of P ranks takes. Failures are
 * the transport's: a worker that dies is named in the {@code PeerFailureException} of the master and, through the
 * failed collective, of every rank; when the master dies every worker's pull fails and the job ends.
 *
 * <p>The delays go into the result ({@link TrainResult#trainerStats()}: {@code delay_histogram}, delay to count,
 * {@code delay_mean}, {@code delay_max}) and {@code summary.json}. Checkpoints are written at the first segment end
 * after each {@code --checkpoint-every} iterations, so they do not change the run. Arrival order depends on timing,
 * so runs differ; {@code async.deterministic=true} fixes the order (round-robin over ranks 0 … P−1, the serving thread
 * computing rank 0's gradient at its turn), and then a resumed run ends with the same bits as an uninterrupted one.
 * Plain SGD (no momentum); CPU only; no compression.
 */
public final class AsyncSgdTrainer implements Trainer {
    /** The registry name. */
    public static final String NAME = "async";
    /** The master's rank. */
    static final int MASTER = 0;
    /** Largest history of models kept for injected delays, in floats. */
    private static final long HISTORY_LIMIT = 1L << 28;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(TrainConfig cfg) {
        if (cfg.workers() < 2) {
            throw new IllegalArgumentException("the async trainer needs at least 2 ranks (a master and a worker), got"
                    + " --workers " + cfg.workers());
        }
        if (cfg.compression() != Compression.NONE) {
            throw new IllegalArgumentException("trainer async sends uncompressed gradients: drop --compress "
                    + cfg.compression().cliName());
        }
        if (cfg.optimizer().momentum() != 0 || cfg.optimizer().nesterov()) {
            throw new IllegalArgumentException("trainer async applies plain SGD steps with --lr-schedule: drop"
                    + " --momentum " + cfg.optimizer().momentum() + (cfg.optimizer().nesterov() ? " and --nesterov"
                    : ""));
        }
        AsyncOptions.of(cfg);
    }

    @Override
    public String label(TrainConfig cfg) {
        return "async (rank 0 also the master)";
    }

    @Override
    public Map<String, String> resumeSettings(TrainConfig cfg) {
        Map<String, String> m = new LinkedHashMap<>();
        for (var o : new AsyncSgdTrainerProvider().options()) {
            m.put(o.name(), cfg.option(o.name(), o.defaultText()));
        }
        return m;
    }

    @Override
    public TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener) {
        validate(cfg);
        try (TrainingSession s = TrainingSession.open(comm, cfg, this, 1, listener)) {
            return new Run(s, AsyncOptions.of(cfg)).run();
        }
    }

    /** One iteration's worth of the master's updates, handed to the training thread for the listener. */
    private record Progress(long iteration, double loss, double lr) {
    }

    /** One rank's run. */
    private static final class Run {
        private static final String META_UPDATES = "async.updates";
        private static final String META_HISTOGRAM = "async.delay-histogram";
        private static final String META_LOCAL_STEPS = "async.local-steps";
        private static final String ARRAY_HISTORY = "async.history.";
        private static final float STOP = -1f;

        private final TrainingSession s;
        private final Communicator comm;
        private final AsyncOptions options;
        private final int rank;
        /** Ranks that compute gradients: all of them (rank 0's own worker included). */
        private final int workers;
        private final int n;
        private final long total;
        private final float[] params;
        private final float decay;
        /**
         * Master: the pull it sends worker w (w ≥ 1), and in slot 0 its own worker's. Worker: the pull it receives.
         * Model, then the update counter.
         */
        private final float[][] pulls;
        /** Master: worker w's push, slot 0 its own worker's. Worker: its push. Gradient, loss, then the counter. */
        private final float[][] pushes;
        private final Message[] sends;
        private final Message[] recvs;
        private final float[] grad;
        /** The model a gradient is computed at: the parameters on a worker, a copy of its own on the master. */
        private final float[] point;
        private final TreeMap<Long, Long> delays = new TreeMap<>();
        private final LinkedBlockingQueue<Progress> progress = new LinkedBlockingQueue<>();
        /** Master: the models after the recent updates, for injected delays (null without); update u in u % length. */
        private final float[][] history;
        /**
         * Master: guards the model, the counters and the histogram, which its serving thread (the progress thread)
         * and its own worker (the training thread) both update.
         */
        private final Object lock = new Object();
        /** This rank's worker's compute and wait since the last progress was relayed (either thread adds). */
        private final AtomicLong localCompute = new AtomicLong();
        private final AtomicLong localWait = new AtomicLong();

        /** Master: updates applied so far. */
        private long updates;
        /** Master, this segment: gradients handed out, gradients applied, the budget, the first iteration. */
        private long issued;
        private long applied;
        private long budget;
        private long firstIteration;
        private double iterationLoss;
        /** Master: why its own worker stopped, if it failed (the serving thread then fails the collective). */
        private Throwable localFailure;
        /** Gradients this rank's worker computed so far (its sampler position). */
        private long localSteps;

        Run(TrainingSession s, AsyncOptions options) {
            this.s = s;
            this.comm = s.comm();
            this.options = options;
            this.rank = comm.rank();
            this.workers = comm.size();
            this.n = s.parameterCount();
            this.total = s.totalIterations();
            this.params = s.params();
            this.decay = (float) s.config().optimizer().weightDecay();
            int peers = rank == MASTER ? workers : 1;
            this.pulls = new float[peers][n + 3];
            this.pushes = new float[peers][n + 3];
            this.sends = new Message[peers];
            this.recvs = new Message[peers];
            for (int i = 0; i < peers; i++) {
                sends[i] = new Message();
                recvs[i] = new Message();
            }
            this.grad = new float[n];
            this.point = rank == MASTER ? new float[n] : params;
            long deepest = (long) Math.floor(options.injectedDelay() * Math.sqrt((double) total * workers)) + 1;
            if (rank == MASTER && options.injectedDelay() > 0) {
                if (deepest * n > HISTORY_LIMIT) {
                    throw new IllegalArgumentException("async.injected-delay " + options.injectedDelay() + " keeps up"
                            + " to " + deepest + " models of " + n + " parameters: lower it or train a smaller"
                            + " model");
                }
                this.history = new float[(int) deepest + 1][];
            } else {
                this.history = null;
            }
        }

        TrainResult run() {
            long t = restore();
            s.start();
            while (t < total) {
                long end = nextConsensus(t);
                segment(t, (end - t) * workers);
                comm.broadcast(params, MASTER);
                long before = t;
                t = end;
                if (t < total) {
                    long every = s.config().checkpoints().every();
                    if (s.checkpointing() && every > 0 && t / every > before / every) {
                        s.saveCheckpoint(sharedCheckpoint(t), rankCheckpoint(t));
                    }
                    s.evaluate(t, false);
                }
            }
            if (rank == MASTER) {
                long count = 0;
                double sum = 0;
                for (Map.Entry<Long, Long> e : delays.entrySet()) {
                    count += e.getValue();
                    sum += (double) e.getKey() * e.getValue();
                }
                s.putTrainerStat("updates", updates);
                s.putTrainerStat("delay_mean", count == 0 ? 0.0 : sum / count);
                s.putTrainerStat("delay_max", delays.isEmpty() ? 0L : delays.lastKey());
                s.putTrainerStat("delay_histogram", new LinkedHashMap<>(delays));
            }
            long end = Math.max(total, t);
            return s.finish(end, s.checkpointing() ? sharedCheckpoint(end) : null,
                    s.checkpointing() ? rankCheckpoint(end) : null);
        }

        /** The next consensus point after iteration {@code t}: an epoch's end, an eval-every multiple, or the end. */
        private long nextConsensus(long t) {
            long b = s.batchesPerEpoch();
            long end = Math.min(total, (t / b + 1) * b);
            long every = s.config().output().evalEvery();
            if (every > 0) {
                end = Math.min(end, (t / every + 1) * every);
            }
            return end;
        }

        /**
         * Runs {@code count} updates as one custom collective on the progress thread. Meanwhile this (the training)
         * thread relays the master's progress to the listener and, on the master outside the deterministic mode, is
         * the master's own worker.
         */
        private void segment(long first, long count) {
            synchronized (lock) {
                remember(updates);
                budget = count;
                issued = 0;
                applied = 0;
                firstIteration = first;
                iterationLoss = 0;
            }
            long[] workerTimes = new long[2];
            Request r = comm.submit(ctx -> {
                if (rank == MASTER) {
                    serve(ctx);
                } else {
                    worker(ctx, workerTimes);
                }
            });
            if (rank == MASTER && !options.deterministic()) {
                ownWorker(r);
            }
            try {
                while (true) {
                    Progress p = progress.poll(20, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        relay(p);
                    } else if (r.isDone()) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
            for (Progress p; (p = progress.poll()) != null; ) {
                relay(p);
            }
            r.await();
            if (rank == MASTER) {
                s.addTimes(localCompute.getAndSet(0), localWait.getAndSet(0));
            } else {
                s.addTimes(workerTimes[0], workerTimes[1]);
            }
        }

        /** Hands one iteration's progress to the session (on the master, with its own worker's times). */
        private void relay(Progress p) {
            s.iterationDone(p.iteration(), p.loss(), p.lr(), localCompute.getAndSet(0), localWait.getAndSet(0));
        }

        // ------------------------------------------------------------------------------ the master

        /**
         * The master's own worker on the training thread: takes the model under the lock, computes a gradient on its
         * shard without it, and applies it under the lock, until the segment's gradients are all handed out (or the
         * serving side failed). A failure here is handed to the serving thread, which fails the collective, so that
         * every rank hears of it.
         */
        private void ownWorker(Request r) {
            float[] model = pulls[0];
            float[] push = pushes[0];
            try {
                while (!r.isDone()) {
                    for (Progress p; (p = progress.poll()) != null; ) {
                        relay(p);
                    }
                    long w0 = System.nanoTime();
                    synchronized (lock) {
                        if (issued >= budget) {
                            return;
                        }
                        issued++;
                        pullInto(model);
                    }
                    long c0 = System.nanoTime();
                    localWait.addAndGet(c0 - w0);
                    compute(model, push);
                    long c1 = System.nanoTime();
                    localCompute.addAndGet(c1 - c0);
                    synchronized (lock) {
                        apply(push);
                    }
                    localWait.addAndGet(System.nanoTime() - c1);
                }
            } catch (RuntimeException | Error e) {
                synchronized (lock) {
                    localFailure = e;
                    lock.notifyAll();
                }
                throw e;
            }
        }

        /**
         * This rank's gradient at a pulled model ({@code model}: n floats, then the counter it was read at) into
         * {@code push} (gradient, loss, counter).
         */
        private void compute(float[] model, float[] push) {
            System.arraycopy(model, 0, point, 0, n);
            s.loadBatch(localSteps);
            double loss = s.model().lossAndGradient(point, s.batch(), grad);
            localSteps++;
            System.arraycopy(grad, 0, push, 0, n);
            push[n] = (float) loss;
            push[n + 1] = model[n];
            push[n + 2] = model[n + 1];
        }

        /**
         * Serves the workers (progress thread): hands each a model, applies each gradient as it arrives and hands the
         * worker the current model, until the segment's budget is applied. In the deterministic mode it takes the
         * ranks round-robin, its own worker (rank 0) included, whose gradient it then computes itself at its turn.
         */
        private void serve(CollectiveContext ctx) {
            Transport tr = ctx.transport();
            Header h = ctx.header();
            boolean inline = options.deterministic();
            int[] active = new int[workers];
            Message[] waiting = new Message[workers];
            int live = 0;
            synchronized (lock) {
                for (int w = inline ? MASTER : 1; w < workers; w++) {
                    if (issued < budget) {
                        issued++;
                        hand(tr, h, w);
                        active[live] = w;
                        waiting[live++] = w == MASTER ? null : recvs[w];
                    } else if (w != MASTER) {
                        stop(tr, h, w);
                    }
                }
            }
            int next = 0;
            while (true) {
                if (live == 0) {
                    synchronized (lock) {
                        while (applied < budget && localFailure == null) {
                            try {
                                lock.wait();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException("interrupted while serving", e);
                            }
                        }
                        failIfOwnWorkerFailed();
                    }
                    break;
                }
                int at;
                if (inline) {
                    at = next % live;
                    next = at + 1;
                    if (active[at] == MASTER) {
                        long c0 = System.nanoTime();
                        compute(pulls[MASTER], pushes[MASTER]);
                        localCompute.addAndGet(System.nanoTime() - c0);
                    } else {
                        tr.await(waiting[at]);
                    }
                } else {
                    at = tr.awaitAny(waiting, live);
                }
                int w = active[at];
                synchronized (lock) {
                    failIfOwnWorkerFailed();
                    apply(pushes[w]);
                    if (issued < budget) {
                        issued++;
                        hand(tr, h, w);
                    } else {
                        if (w != MASTER) {
                            stop(tr, h, w);
                        }
                        live--;
                        active[at] = active[live];
                        waiting[at] = waiting[live];
                        next = at;
                    }
                }
            }
            for (int w = 1; w < workers; w++) {
                settle(tr, sends[w]);
            }
        }

        private void failIfOwnWorkerFailed() {
            if (localFailure != null) {
                throw new IllegalStateException("rank 0's own worker failed: " + localFailure, localFailure);
            }
        }

        /**
         * Applies a gradient (under the lock): x ← x − α_n (g + λx), records its delay and the progress, and wakes a
         * server waiting for the segment's last gradient.
         */
        private void apply(float[] push) {
            long read = decode(push, n + 1);
            delays.merge(updates - read, 1L, Long::sum);
            float alpha = (float) options.steps().at(updates);
            for (int i = 0; i < n; i++) {
                params[i] -= alpha * (push[i] + decay * params[i]);
            }
            iterationLoss += push[n];
            updates++;
            applied++;
            remember(updates);
            if (applied % workers == 0 || applied == budget) {
                long done = applied % workers == 0 ? workers : applied % workers;
                progress.add(new Progress(firstIteration + (applied - 1) / workers, iterationLoss / done, alpha));
                iterationLoss = 0;
            }
            if (applied == budget) {
                lock.notifyAll();
            }
        }

        /** Hands worker {@code w} the model to compute on (under the lock): a message, or for rank 0 a copy. */
        private void hand(Transport tr, Header h, int w) {
            if (w == MASTER) {
                pullInto(pulls[MASTER]);
                return;
            }
            settle(tr, sends[w]);
            pullInto(pulls[w]);
            tr.post(sends[w].send(w, h, ElementBuffer.of(pulls[w]), 0, n + 2));
            tr.post(recvs[w].recv(w, h, ElementBuffer.of(pushes[w]), 0, n + 3));
        }

        /** Copies the model a worker computes on into {@code out}, with the update counter it was read at. */
        private void pullInto(float[] out) {
            long read = updates;
            if (history != null) {
                long back = Math.min((long) Math.floor(options.injectedDelay() * Math.sqrt(updates)), updates);
                read = updates - back;
                System.arraycopy(history[(int) (read % history.length)], 0, out, 0, n);
            } else {
                System.arraycopy(params, 0, out, 0, n);
            }
            encode(read, out, n);
        }

        private void stop(Transport tr, Header h, int w) {
            settle(tr, sends[w]);
            pulls[w][n] = STOP;
            tr.post(sends[w].send(w, h, ElementBuffer.of(pulls[w]), 0, n + 2));
        }

        /** Keeps the model after {@code update} updates for injected delays. */
        private void remember(long update) {
            if (history != null) {
                int slot = (int) (update % history.length);
                if (history[slot] == null) {
                    history[slot] = new float[n];
                }
                System.arraycopy(params, 0, history[slot], 0, n);
            }
        }

        // ------------------------------------------------------------------------------ a worker (progress thread)

        private void worker(CollectiveContext ctx, long[] times) {
            Transport tr = ctx.transport();
            Header h = ctx.header();
            float[] in = pulls[0];
            float[] out = pushes[0];
            while (true) {
                long w0 = System.nanoTime();
                tr.post(recvs[0].recv(MASTER, h, ElementBuffer.of(in), 0, n + 2));
                tr.await(recvs[0]);
                long c0 = System.nanoTime();
                times[1] += c0 - w0;
                if (in[n] == STOP) {
                    break;
                }
                settle(tr, sends[0]);
                compute(in, out);
                tr.post(sends[0].send(MASTER, h, ElementBuffer.of(out), 0, n + 3));
                times[0] += System.nanoTime() - c0;
            }
            settle(tr, sends[0]);
        }

        /** Waits for a send to complete, if one was ever posted with it. */
        private static void settle(Transport tr, Message m) {
            if (m.header() != null) {
                tr.await(m);
            }
        }

        /** Update counters travel as two floats of 24 bits each, exact up to 2^48. */
        private static void encode(long v, float[] a, int at) {
            a[at] = (float) (v >>> 24);
            a[at + 1] = (float) (v & 0xFFFFFF);
        }

        private static long decode(float[] a, int at) {
            return ((long) a[at] << 24) | (long) a[at + 1];
        }

        // ------------------------------------------------------------------------------ checkpoints

        private Checkpoint sharedCheckpoint(long iteration) {
            Checkpoint c = s.newSharedCheckpoint(iteration);
            c.put(META_UPDATES, Long.toString(updates));
            StringBuilder sb = new StringBuilder();
            delays.forEach((d, k) -> sb.append(sb.length() == 0 ? "" : ",").append(d).append(':').append(k));
            c.put(META_HISTOGRAM, sb.toString());
            if (history != null) {
                for (int k = 0; k < history.length; k++) {
                    if (history[k] != null) {
                        c.put(ARRAY_HISTORY + k, history[k]);
                    }
                }
            }
            return c;
        }

        private Checkpoint rankCheckpoint(long iteration) {
            Checkpoint c = s.newRankCheckpoint(iteration);
            c.put(META_LOCAL_STEPS, Long.toString(localSteps));
            return c;
        }

        /** Loads the state of a checkpoint if resuming; returns the first iteration to run. */
        private long restore() {
            TrainingSession.Restored r = s.restore();
            if (r == null) {
                return 0;
            }
            Checkpoint shared = r.shared();
            String file = s.config().checkpoints().dir() + " (iteration " + shared.iteration() + ")";
            try {
                updates = Long.parseLong(shared.requireMeta(META_UPDATES));
                localSteps = Long.parseLong(r.rank().requireMeta(META_LOCAL_STEPS));
                String hist = shared.requireMeta(META_HISTOGRAM);
                if (!hist.isEmpty()) {
                    for (String e : hist.split(",")) {
                        String[] kv = e.split(":");
                        delays.put(Long.parseLong(kv[0]), Long.parseLong(kv[1]));
                    }
                }
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new CheckpointException("checkpoint " + file + " has a malformed async entry: corrupt"
                        + " checkpoint");
            }
            if (history != null) {
                for (int k = 0; k < history.length; k++) {
                    history[k] = shared.array(ARRAY_HISTORY + k);
                }
            }
            return shared.iteration();
        }
    }
}

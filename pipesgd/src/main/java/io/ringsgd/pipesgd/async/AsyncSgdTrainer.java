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

/**
 * Distributed asynchronous SGD (DASGD; Zhou et al., "Distributed Asynchronous Optimization with Unbounded Delays:
 * How Slow Can You Go?", ICML 2018): rank 0, the master, holds the model and the update counter n; ranks 1 … P−1,
 * the workers, each pull the model with the n it was read at, compute a gradient on their own shard and push it back
 * with that n. The master applies every gradient the moment it arrives, x ← x − α_n (g + λx) with the step size of
 * {@code --lr-schedule} ({@link StepSizes}), records its delay (n now minus n read), and sends the worker the current
 * model. Nobody waits for anybody but the master: a slow worker only contributes fewer, staler gradients.
 *
 * <p>The pushes and pulls are point-to-point messages over the communicator's transport, inside one custom
 * collective per segment (the run between two consensus points), on the communicator's progress thread; the
 * training thread meanwhile relays the master's progress to the listener. A segment ends at each epoch's end (and
 * every {@code --eval-every} iterations): the master stops taking new gradients once it has handed out the segment's
 * share, every worker's last gradient is applied, and a broadcast gives every rank the master's model, bit for bit,
 * which is evaluated. One iteration, as the progress output and {@code --epochs} count them, is P−1 applied gradients,
 * the samples one synchronous step of the P−1 workers takes. Failures are the transport's: a worker that dies is
 * named in the {@code PeerFailureException} of the master and, through the failed collective, of every rank; when
 * the master dies every worker's pull fails and the job ends.
 *
 * <p>The delays go into the result ({@link TrainResult#trainerStats()}: {@code delay_histogram}, delay to count,
 * {@code delay_mean}, {@code delay_max}) and {@code summary.json}. Checkpoints are written at the first segment end
 * after each {@code --checkpoint-every} iterations, so they do not change the run. Arrival order depends on timing,
 * so runs differ; {@code async.deterministic=true} fixes the order (round-robin), and then a resumed run ends with the
 * same bits as an uninterrupted one. Plain SGD (no momentum); CPU only; no compression.
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
        return "async (1 master, " + (cfg.workers() - 1) + " workers)";
    }

    @Override
    public int shards(int ranks) {
        return ranks - 1;
    }

    @Override
    public int shardOf(int rank, int ranks) {
        return rank - 1;
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
    private record Progress(long iteration, double loss, double lr, long computeNanos, long waitNanos) {
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
        private final int workers;
        private final int n;
        private final long total;
        private final float[] params;
        /** Master: the pull it sends worker w. Worker: the pull it receives. Model, then the update counter. */
        private final float[][] pulls;
        /** Master: worker w's push. Worker: its push. Gradient, loss, then the counter it read. */
        private final float[][] pushes;
        private final Message[] sends;
        private final Message[] recvs;
        private final float[] grad;
        private final TreeMap<Long, Long> delays = new TreeMap<>();
        private final LinkedBlockingQueue<Progress> progress = new LinkedBlockingQueue<>();
        /** Master: the models after the recent updates, for injected delays (null without); update u in u % length. */
        private final float[][] history;

        /** Master: updates applied so far. */
        private long updates;
        /** Worker: gradients computed so far (its sampler position). */
        private long localSteps;
        private long bodyCompute;
        private long bodyWait;

        Run(TrainingSession s, AsyncOptions options) {
            this.s = s;
            this.comm = s.comm();
            this.options = options;
            this.rank = comm.rank();
            this.workers = comm.size() - 1;
            this.n = s.parameterCount();
            this.total = s.totalIterations();
            this.params = s.params();
            int peers = rank == MASTER ? workers + 1 : 1;
            this.pulls = new float[peers][n + 3];
            this.pushes = new float[peers][n + 3];
            this.sends = new Message[peers];
            this.recvs = new Message[peers];
            for (int i = 0; i < peers; i++) {
                sends[i] = new Message();
                recvs[i] = new Message();
            }
            this.grad = new float[n];
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
         * Runs {@code budget} updates as one custom collective on the progress thread, relaying the master's
         * progress to the listener from this thread meanwhile.
         */
        private void segment(long firstIteration, long budget) {
            bodyCompute = 0;
            bodyWait = 0;
            Request r = comm.submit(ctx -> {
                if (rank == MASTER) {
                    master(ctx, firstIteration, budget);
                } else {
                    worker(ctx);
                }
            });
            try {
                while (true) {
                    Progress p = progress.poll(20, TimeUnit.MILLISECONDS);
                    if (p != null) {
                        s.iterationDone(p.iteration(), p.loss(), p.lr(), p.computeNanos(), p.waitNanos());
                    } else if (r.isDone()) {
                        break;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while training", e);
            }
            for (Progress p; (p = progress.poll()) != null; ) {
                s.iterationDone(p.iteration(), p.loss(), p.lr(), p.computeNanos(), p.waitNanos());
            }
            r.await();
            if (rank != MASTER) {
                s.addTimes(bodyCompute, bodyWait);
            }
        }

        // ------------------------------------------------------------------------------ the master (progress thread)

        private void master(CollectiveContext ctx, long firstIteration, long budget) {
            Transport tr = ctx.transport();
            Header h = ctx.header();
            remember(updates);
            int[] active = new int[workers];
            Message[] waiting = new Message[workers];
            int live = 0;
            long issued = 0;
            for (int w = 1; w <= workers; w++) {
                if (issued < budget) {
                    pull(tr, h, w);
                    issued++;
                    tr.post(recvs[w].recv(w, h, ElementBuffer.of(pushes[w]), 0, n + 3));
                    active[live] = w;
                    waiting[live++] = recvs[w];
                } else {
                    stop(tr, h, w);
                }
            }
            long applied = 0;
            double loss = 0;
            long compute = 0;
            long wait = 0;
            int next = 0;
            float decay = (float) s.config().optimizer().weightDecay();
            while (applied < budget) {
                long w0 = System.nanoTime();
                int at;
                if (options.deterministic()) {
                    at = next % live;
                    next = at + 1;
                    tr.await(waiting[at]);
                } else {
                    at = tr.awaitAny(waiting, live);
                }
                int w = active[at];
                long c0 = System.nanoTime();
                wait += c0 - w0;
                float[] push = pushes[w];
                long read = decode(push, n + 1);
                delays.merge(updates - read, 1L, Long::sum);
                float alpha = (float) options.steps().at(updates);
                for (int i = 0; i < n; i++) {
                    params[i] -= alpha * (push[i] + decay * params[i]);
                }
                loss += push[n];
                updates++;
                applied++;
                remember(updates);
                if (issued < budget) {
                    pull(tr, h, w);
                    issued++;
                    tr.post(recvs[w].recv(w, h, ElementBuffer.of(push), 0, n + 3));
                } else {
                    stop(tr, h, w);
                    live--;
                    active[at] = active[live];
                    waiting[at] = waiting[live];
                    next = at;
                }
                compute += System.nanoTime() - c0;
                if (applied % workers == 0 || applied == budget) {
                    long done = applied % workers == 0 ? workers : applied % workers;
                    long iteration = firstIteration + (applied - 1) / workers;
                    progress.add(new Progress(iteration, loss / done, alpha, compute, wait));
                    loss = 0;
                    compute = 0;
                    wait = 0;
                }
            }
            for (int w = 1; w <= workers; w++) {
                settle(tr, sends[w]);
            }
        }

        /** Sends worker {@code w} the model to compute on, with the update counter it was read at. */
        private void pull(Transport tr, Header h, int w) {
            settle(tr, sends[w]);
            float[] out = pulls[w];
            long read = updates;
            if (history != null) {
                long back = Math.min((long) Math.floor(options.injectedDelay() * Math.sqrt(updates)), updates);
                read = updates - back;
                System.arraycopy(history[(int) (read % history.length)], 0, out, 0, n);
            } else {
                System.arraycopy(params, 0, out, 0, n);
            }
            encode(read, out, n);
            tr.post(sends[w].send(w, h, ElementBuffer.of(out), 0, n + 2));
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

        private void worker(CollectiveContext ctx) {
            Transport tr = ctx.transport();
            Header h = ctx.header();
            float[] in = pulls[0];
            float[] out = pushes[0];
            while (true) {
                long w0 = System.nanoTime();
                tr.post(recvs[0].recv(MASTER, h, ElementBuffer.of(in), 0, n + 2));
                tr.await(recvs[0]);
                long c0 = System.nanoTime();
                bodyWait += c0 - w0;
                if (in[n] == STOP) {
                    break;
                }
                System.arraycopy(in, 0, params, 0, n);
                s.loadBatch(localSteps);
                double loss = s.model().lossAndGradient(params, s.batch(), grad);
                localSteps++;
                settle(tr, sends[0]);
                System.arraycopy(grad, 0, out, 0, n);
                out[n] = (float) loss;
                out[n + 1] = in[n];
                out[n + 2] = in[n + 1];
                tr.post(sends[0].send(MASTER, h, ElementBuffer.of(out), 0, n + 3));
                bodyCompute += System.nanoTime() - c0;
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

package io.ringsgd.pipesgd.ps;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingSession;

/**
 * Synchronous SGD with a parameter server, the "conventional approach" AllReduce trainers are measured against: rank 0
 * serves, ranks 1 … P−1 compute. Each iteration every worker pushes its gradient (and its loss) to the server, the
 * server adds them up in rank order, averages, applies the optimizer step, and every worker pulls the new model. The
 * pushes and pulls are point-to-point messages of the communicator's transport (two custom collectives per iteration,
 * run in issue order on every rank), so the server's link carries (P−1)·n bytes in and (P−1)·n bytes out per
 * iteration while the workers' links carry n each way: the bottleneck that grows with P.
 *
 * <p>The training data is cut into P−1 shards, one per worker; the server trains on none. Every rank ends each
 * iteration with the server's parameters, bit for bit, and the server alone keeps the optimizer's state (which the
 * shared checkpoint holds). CPU only; no compression.
 */
public final class ParameterServerTrainer implements Trainer {
    /** The registry name ({@code --trainer ps}). */
    public static final String NAME = "ps";
    /** The rank that serves. */
    static final int SERVER = 0;

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void validate(TrainConfig cfg) {
        if (cfg.workers() < 2) {
            throw new IllegalArgumentException("the parameter server needs at least 2 ranks (one serves, the others"
                    + " compute), got --workers " + cfg.workers());
        }
        if (cfg.compression() != Compression.NONE) {
            throw new IllegalArgumentException("trainer ps sends uncompressed gradients: drop --compress "
                    + cfg.compression().cliName());
        }
    }

    @Override
    public String label(TrainConfig cfg) {
        return "ps (1 server, " + (cfg.workers() - 1) + " workers)";
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
    public TrainResult train(Communicator comm, TrainConfig cfg, TrainingListener listener) {
        validate(cfg);
        try (TrainingSession s = TrainingSession.open(comm, cfg, this, 1, listener)) {
            return new Run(s).run();
        }
    }

    /** One rank's run: the server's or a worker's side of every iteration. */
    private static final class Run {
        private final TrainingSession s;
        private final Communicator comm;
        private final int rank;
        private final int ranks;
        private final int n;
        /** Workers: gradient and loss (pushes[0]). Server: worker w's push in pushes[w]. */
        private final float[][] pushes;
        private final ElementBuffer[] pushBuffers;
        private final ElementBuffer params;
        private final Message[] messages;
        private final float[] grad;

        Run(TrainingSession s) {
            this.s = s;
            this.comm = s.comm();
            this.rank = comm.rank();
            this.ranks = comm.size();
            this.n = s.parameterCount();
            this.params = ElementBuffer.of(s.params());
            int buffers = rank == SERVER ? ranks : 1;
            this.pushes = new float[buffers][n + 1];
            this.pushBuffers = new ElementBuffer[buffers];
            for (int i = 0; i < buffers; i++) {
                pushBuffers[i] = ElementBuffer.of(pushes[i]);
            }
            this.messages = new Message[ranks];
            for (int i = 0; i < ranks; i++) {
                messages[i] = new Message();
            }
            this.grad = new float[n];
        }

        TrainResult run() {
            long start = restore();
            s.start();
            for (long t = start; t < s.totalIterations(); t++) {
                long c0 = System.nanoTime();
                long wait;
                double loss;
                double lr = s.learningRate(t);
                if (rank == SERVER) {
                    Request gathered = comm.submit(this::gather);
                    long w0 = System.nanoTime();
                    gathered.await();
                    long w1 = System.nanoTime();
                    s.trace().waitFor(w0, w1, t);
                    wait = w1 - w0;
                    loss = average();
                    s.applyUpdate(grad, t);
                    comm.submit(this::scatter);
                } else {
                    s.loadBatch(t);
                    long g0 = System.nanoTime();
                    loss = s.model().lossAndGradient(s.params(), s.batch(), grad);
                    s.trace().gradient(g0, System.nanoTime(), t);
                    System.arraycopy(grad, 0, pushes[0], 0, n);
                    pushes[0][n] = (float) loss;
                    comm.submit(this::gather);
                    Request pulled = comm.submit(this::scatter);
                    long w0 = System.nanoTime();
                    pulled.await();
                    long w1 = System.nanoTime();
                    s.trace().waitFor(w0, w1, t);
                    wait = w1 - w0;
                }
                long c2 = System.nanoTime();
                s.iterationDone(t, loss, lr, (c2 - c0) - wait, wait);
                if (s.checkpointDue(t)) {
                    // The model is where the last pull put it on every rank; the server's optimizer state is saved.
                    s.saveCheckpoint(s.newSharedCheckpoint(t + 1), s.newRankCheckpoint(t + 1));
                }
                if (s.evaluationDue(t)) {
                    s.evaluate(t + 1, false);
                }
            }
            long end = Math.max(start, s.totalIterations());
            return s.finish(end, s.checkpointing() ? s.newSharedCheckpoint(end) : null,
                    s.checkpointing() ? s.newRankCheckpoint(end) : null);
        }

        /** The push: every worker sends gradient and loss to the server, which receives all at once. */
        private void gather(CollectiveContext ctx) {
            Transport tr = ctx.transport();
            if (rank == SERVER) {
                for (int w = 1; w < ranks; w++) {
                    tr.post(messages[w].recv(w, ctx.header(), pushBuffers[w], 0, n + 1));
                }
                for (int w = 1; w < ranks; w++) {
                    tr.await(messages[w]);
                }
            } else {
                tr.post(messages[SERVER].send(SERVER, ctx.header(), pushBuffers[0], 0, n + 1));
                tr.await(messages[SERVER]);
            }
        }

        /** The pull: the server sends the model to every worker. */
        private void scatter(CollectiveContext ctx) {
            Transport tr = ctx.transport();
            if (rank == SERVER) {
                for (int w = 1; w < ranks; w++) {
                    tr.post(messages[w].send(w, ctx.header(), params, 0, n));
                }
                for (int w = 1; w < ranks; w++) {
                    tr.await(messages[w]);
                }
            } else {
                tr.post(messages[SERVER].recv(SERVER, ctx.header(), params, 0, n));
                tr.await(messages[SERVER]);
            }
        }

        /**
         * Server: the workers' mean gradient into {@code grad}, (0 + g_1 + … + g_{P−1}) / (P−1) added in rank order
         * (what a serial run over the P−1 shards computes, bit for bit); returns their mean loss.
         */
        private double average() {
            java.util.Arrays.fill(grad, 0f);
            double loss = 0;
            for (int w = 1; w < ranks; w++) {
                float[] g = pushes[w];
                for (int i = 0; i < n; i++) {
                    grad[i] += g[i];
                }
                loss += g[n];
            }
            int workers = ranks - 1;
            for (int i = 0; i < n; i++) {
                grad[i] = grad[i] / workers;
            }
            return loss / workers;
        }

        /** Loads a checkpoint if resuming; returns the first iteration to run. */
        private long restore() {
            TrainingSession.Restored r = s.restore();
            return r == null ? 0 : r.shared().iteration();
        }
    }
}

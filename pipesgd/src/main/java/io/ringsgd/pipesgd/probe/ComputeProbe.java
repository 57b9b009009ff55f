package io.ringsgd.pipesgd.probe;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.optim.SgdMomentum;
import io.ringsgd.plan.ComputeCosts;
import io.ringsgd.plan.cost.CostModel;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Measures, on this machine, the per-iteration costs that the plan's {@link io.ringsgd.plan.IterationModel} needs
 * besides the AllReduce ({@link ComputeCosts}): the
 * compute time of a training iteration (filling the mini-batch, forward and backward pass, SGD-momentum update), the
 * time of one pass over a parameter-sized vector (the AVG division, CoCoD's combine), error feedback, and the codecs'
 * per-element encode and decode times.
 *
 * <p>Compute, vector passes and error feedback run on {@code ranks} threads at once, one per rank, for long stretches
 * (many scheduler time slices), because that is how a local job runs: with more ranks than cores a rank's iteration
 * takes as long as the cores need for all ranks' work. Compute is measured twice, because it depends on how the
 * ranks are coupled: in lock step the last ranks of an iteration run with the cores to themselves, free-running
 * every rank competes all the time (with more ranks than cores, free-running ranks get less done than in lock step).
 * The codecs are timed on one thread and scaled by the ranks per core: in the compressed ring they come in short
 * bursts, one segment per step, that the ranks' progress threads run at roughly the same moment (a lock-step probe of
 * such short bursts would mostly time its own barrier). Each measurement is repeated in blocks and the median block is
 * reported, so that a burst of load from other processes does not decide it; the JIT gets a warm-up first (a cold JVM
 * would time the compiler). It lives here, beside the models it trains; the plan module only receives its results.
 */
public final class ComputeProbe {
    private static final Logger log = LoggerFactory.getLogger(ComputeProbe.class);
    private static final long TIMEOUT_SECONDS = 600;
    private static final int BLOCKS = 5;
    /** The trainers' default learning rate: the probe trains for real, so that its gradients look real. */
    private static final double RATE = 0.05;

    private ComputeProbe() {
    }

    /** {@link #measure(ModelFactory, int, int, int, int, Duration)} with a budget of 10 seconds. */
    public static ComputeCosts measure(ModelFactory factory, int inputSize, int classes, int batch, int ranks) {
        return measure(factory, inputSize, classes, batch, ranks, Duration.ofSeconds(10));
    }

    /**
     * {@link #measure(ModelFactory, Dataset, int, int, Duration)} on random data of {@code inputSize} features and
     * {@code classes} classes, for when the training data is not at hand (gradients of real data quantize
     * differently, so codec and error-feedback times are less faithful).
     */
    public static ComputeCosts measure(ModelFactory factory, int inputSize, int classes, int batch, int ranks,
            Duration budget) {
        if (inputSize < 1 || classes < 2) {
            throw new IllegalArgumentException("need inputSize >= 1 and classes >= 2, got " + inputSize + " and "
                    + classes);
        }
        return measure(factory, randomData(inputSize, classes, Math.max(batch * 4, 256)), batch, ranks, budget);
    }

    /**
     * Trains the model made by {@code factory} with SGD (momentum 0.9, rate 0.05, the trainers' defaults) on
     * mini-batches of {@code batch} samples of {@code data}, on {@code ranks} threads at once, timing the iterations
     * in lock step and free-running; then times the vector pass, error feedback and codecs on the gradient the
     * training arrived at (their speed depends on its magnitudes: fp16 turns small values subnormal, a slow path).
     * Takes about {@code budget}, half of it for the iterations.
     */
    public static ComputeCosts measure(ModelFactory factory, Dataset data, int batch, int ranks, Duration budget) {
        if (factory == null) {
            throw new IllegalArgumentException("model factory is null: pass Models.factory(\"mlp\", hidden)");
        }
        if (data == null || data.size() < 1) {
            throw new IllegalArgumentException("the probe needs a data set with samples");
        }
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be at least 1, got " + batch);
        }
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks must be at least 1, got " + ranks);
        }
        if (budget == null || budget.toMillis() < 100) {
            throw new IllegalArgumentException("the probe's budget must be at least 100ms, got " + budget);
        }
        int inputSize = data.featureCount();
        int classes = data.classCount();
        long half = budget.toNanos() / 2;
        String[] describe = new String[1];
        long[] params = new long[1];
        float[][] lastGradient = new float[1][];
        IntFunction<Runnable> iteration = r -> {
            Model model = factory.create(inputSize, classes);
            int n = model.parameterCount();
            if (r == 0) {
                describe[0] = model.describe();
                params[0] = n;
            }
            float[] w = new float[n];
            float[] g = new float[n];
            model.initialize(w, 1);
            SgdMomentum opt = new SgdMomentum(n, 0.9, false, 1e-4);
            Batch b = new Batch(batch, inputSize);
            b.resize(batch);
            if (r == 0) {
                lastGradient[0] = g;
            }
            // Each rank its own stretch of the data, as shards are.
            long[] next = {(long) r * data.size() / Math.max(1, ranks)};
            return () -> {
                for (int i = 0; i < batch; i++) {
                    b.set(i, data, (int) (next[0]++ % data.size()));
                }
                model.lossAndGradient(w, b, g);
                opt.step(w, g, RATE);
            };
        };
        // The compute half: the matrix kernels' warm-up (40%), lock step (30%), free-running (30%).
        long computeBlock = half * 3 / 10 / BLOCKS;
        double compute = concurrently(ranks, iteration, half * 2 / 5, computeBlock, true);
        double free = concurrently(ranks, iteration, computeBlock, computeBlock, false);
        int n = (int) params[0];
        // Codec and error-feedback speed depend on the magnitudes (fp16 turns small gradients subnormal, a slow
        // path): time them on the gradient the training arrived at.
        float[] gradient = lastGradient[0].clone();
        // The other half: 7 vector measurements.
        long each = half / 7;
        long warm = each / 4;
        long block = (each - warm) / BLOCKS;
        int divisor = Math.max(2, ranks);
        double pass = concurrently(ranks, r -> {
            float[] v = new float[n];
            ElementBuffer b = ElementBuffer.of(v);
            return () -> {
                // Divide as AVG does; start over before the values would turn subnormal (and slow).
                if (!(Math.abs(v[0]) > 1e-20f)) {
                    Arrays.fill(v, 1e30f);
                }
                b.divide(0, n, divisor);
            };
        }, warm, block, true) / n;
        // The ring codes a vector chunk by chunk, one chunk per rank; so does the probe.
        int chunk = Math.max(1, (n + ranks - 1) / ranks);
        double perCore = Math.max(1.0, (double) ranks / Runtime.getRuntime().availableProcessors());
        Map<Compression, Double> feedback = new EnumMap<>(Compression.class);
        Map<Compression, CostModel.CodecCost> codecs = new EnumMap<>(Compression.class);
        for (Compression c : Compression.values()) {
            if (c == Compression.NONE) {
                continue;
            }
            // The low-bit formats encode the whole vector at once (the encoded all-gather), the others by chunks.
            int piece = c.gathersEncodings() ? n : chunk;
            feedback.put(c, concurrently(ranks, r -> {
                ErrorFeedback.Slot ef = new ErrorFeedback(CollectiveOptions.compressed(c), n, 1).slot(0);
                float[] v = new float[n];
                return () -> {
                    // A fresh gradient each time, as in training (the copy is a few percent of the work).
                    System.arraycopy(gradient, 0, v, 0, n);
                    ef.compensate(v);
                };
            }, warm, block, true) / n);
            Codec codec = Codecs.create(c);
            double enc = concurrently(1, r -> {
                float[] v = gradient.clone();
                // Training encodes with error feedback: each encoding also adds what it dropped to a residual.
                float[] lost = new float[n];
                ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedBytes(n) + 64)
                        .order(ByteOrder.LITTLE_ENDIAN);
                return () -> {
                    int at = 0;
                    for (int off = 0; off < n; off += piece) {
                        int len = Math.min(piece, n - off);
                        codec.encode(v, off, len, wire, at, lost, off);
                        at += codec.encodedBytes(len);
                    }
                };
            }, warm, block, true) / n;
            double dec = concurrently(1, r -> {
                float[] v = gradient.clone();
                ByteBuffer wire = ByteBuffer.allocateDirect(codec.encodedBytes(n) + 64)
                        .order(ByteOrder.LITTLE_ENDIAN);
                codec.encode(v, 0, n, wire, 0);
                return () -> {
                    int at = 0;
                    for (int off = 0; off < n; off += piece) {
                        int len = Math.min(piece, n - off);
                        codec.decode(wire, at, v, off, len, false);
                        at += codec.encodedBytes(len);
                    }
                };
            }, warm, block, true) / n;
            codecs.put(c, new CostModel.CodecCost(enc * perCore, dec * perCore));
        }
        log.debug("compute probe: {} on {} threads: {} s/iteration", describe[0], ranks, compute);
        return new ComputeCosts(compute, free, pass, feedback, codecs, ranks, n, describe[0]);
    }

    /**
     * Runs the body made for each of {@code threads} threads. In {@code lockstep} every round each thread runs its body
     * once and then waits at a barrier for the others, so a round takes as long as the slowest rank needs while all of
     * them compete for the cores (and threads that wait sleep, as in training); otherwise each thread runs its rounds
     * without waiting and a round is a thread's mean time per run. Rounds run for {@code warmupNanos} first, then in
     * {@value #BLOCKS} blocks of about {@code blockNanos}, every thread running as many rounds. Returns the median
     * over blocks of the mean round time.
     */
    static double concurrently(int threads, IntFunction<Runnable> bodies, long warmupNanos, long blockNanos,
            boolean lockstep) {
        Runnable[] body = new Runnable[threads];
        for (int r = 0; r < threads; r++) {
            body[r] = bodies.apply(r);
        }
        // Thread 0 decides when the warm-up ends and how many rounds a block has, so all threads run as many.
        CyclicBarrier barrier = new CyclicBarrier(threads);
        boolean[] stop = new boolean[1];
        long[] roundsPerBlock = new long[1];
        double[][] blockTimes = new double[BLOCKS][threads];
        Throwable[] failure = new Throwable[1];
        List<Thread> ts = new ArrayList<>();
        for (int r = 0; r < threads; r++) {
            int rank = r;
            Thread t = new Thread(() -> {
                try {
                    long w0 = System.nanoTime();
                    long warmRounds = 0;
                    while (true) {
                        body[rank].run();
                        warmRounds++;
                        if (rank == 0) {
                            long spent = System.nanoTime() - w0;
                            stop[0] = spent >= warmupNanos;
                            roundsPerBlock[0] = Math.max(1, blockNanos * warmRounds / Math.max(1, spent));
                        }
                        // The first barrier publishes thread 0's decision, the second keeps it from changing early.
                        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        boolean done = stop[0];
                        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        if (done) {
                            break;
                        }
                    }
                    long rounds = roundsPerBlock[0];
                    for (int b = 0; b < BLOCKS; b++) {
                        barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                        long t0 = System.nanoTime();
                        for (long i = 0; i < rounds; i++) {
                            body[rank].run();
                            if (lockstep) {
                                barrier.await(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                            }
                        }
                        blockTimes[b][rank] = (System.nanoTime() - t0) / 1e9 / rounds;
                    }
                } catch (Throwable e) {
                    synchronized (failure) {
                        if (failure[0] == null) {
                            failure[0] = e;
                        }
                    }
                    barrier.reset();
                }
            }, "ringsgd-probe-" + r);
            t.setDaemon(true);
            ts.add(t);
            t.start();
        }
        try {
            for (Thread t : ts) {
                t.join(TimeUnit.SECONDS.toMillis(TIMEOUT_SECONDS));
                if (t.isAlive()) {
                    throw new IllegalStateException("the compute probe did not finish in " + TIMEOUT_SECONDS + " s");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while probing compute time", e);
        }
        synchronized (failure) {
            if (failure[0] != null) {
                throw new IllegalStateException("the compute probe failed: " + failure[0], failure[0]);
            }
        }
        double[] blocks = new double[BLOCKS];
        for (int b = 0; b < BLOCKS; b++) {
            double sum = 0;
            for (double t : blockTimes[b]) {
                sum += t;
            }
            blocks[b] = sum / threads;
        }
        Arrays.sort(blocks);
        return blocks[BLOCKS / 2];
    }

    private static Dataset randomData(int features, int classes, int samples) {
        SplittableRandom rnd = new SplittableRandom(7);
        byte[] x = new byte[samples * features];
        byte[] y = new byte[samples];
        for (int i = 0; i < x.length; i++) {
            x[i] = (byte) rnd.nextInt(256);
        }
        for (int i = 0; i < samples; i++) {
            y[i] = (byte) rnd.nextInt(classes);
        }
        return new Dataset("probe", x, y, features, classes);
    }
}

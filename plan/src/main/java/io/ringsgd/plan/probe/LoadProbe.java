package io.ringsgd.plan.probe;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures how late a communication thread wakes up when computation keeps every core busy: the σ of
 * {@link io.ringsgd.plan.cost.CostModel#withLoad}. A latency-bound ring AllReduce (a few kilobytes over
 * an emulated link of 1 ms latency, so that its 2(P−1) steps are nothing but waits) is timed with every rank's thread
 * idle and with every rank's thread computing until it completes, as Pipe-SGD and CoCoD-SGD do; what exceeds the
 * link's own time, per wait (the steps plus the hand-over to the progress thread), is σ. Idle it is the machine's
 * scheduling noise; loaded it comes out near the scheduler's time slice, and both grow with whatever else loads the
 * machine (the README reports what it measured on the build machine).
 */
public final class LoadProbe {
    private static final LinkModel LINK = new LinkModel(Duration.ofMillis(1), 1.25e9);
    private static final int FLOATS = 1024;

    /**
     * Times of the probe AllReduce idle and loaded, what the link alone accounts for, the number of waits, and the
     * wake-up delay per wait derived from them (idle: the machine's own scheduling noise; loaded: what Pipe-SGD and
     * CoCoD-SGD see), in seconds.
     */
    public record Result(double idleSeconds, double loadedSeconds, double linkSeconds, int waits) {
        /** Wake-up delay per wait on an otherwise idle job. */
        public double idleWakeupSeconds() {
            return Math.max(0, (idleSeconds - linkSeconds) / waits);
        }

        /** Wake-up delay per wait while every rank computes. */
        public double loadedWakeupSeconds() {
            return Math.max(idleWakeupSeconds(), (loadedSeconds - linkSeconds) / waits);
        }
    }

    private LoadProbe() {
    }

    /** Runs the probe on {@code ranks} in-JVM ranks with {@code reps} timed AllReduces per mode. */
    public static Result measure(int ranks, int reps) {
        if (ranks < 2) {
            throw new IllegalArgumentException("the load probe needs at least 2 ranks, got " + ranks);
        }
        if (reps < 1) {
            throw new IllegalArgumentException("the load probe needs at least 1 repetition, got " + reps);
        }
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).link(LINK).build();
        CollectiveOptions ring = CollectiveOptions.algorithm(Algorithm.RING);
        List<double[]> times = Communicators.runLocal(ranks, cfg, c -> {
            float[] v = new float[FLOATS];
            float[] work = new float[256];
            Arrays.fill(work, 1f);
            double[] out = new double[2];
            for (int mode = 0; mode < 2; mode++) {
                boolean busy = mode == 1;
                double[] t = new double[reps];
                for (int it = -2; it < reps; it++) {
                    c.barrier();
                    AtomicLong done = new AtomicLong();
                    long t0 = System.nanoTime();
                    Request r = c.iallreduce(v, 0, FLOATS, ReduceOp.SUM, ring);
                    r.toCompletableFuture().thenRun(() -> done.set(System.nanoTime()));
                    while (busy && !r.isDone()) {
                        spin(work);
                    }
                    r.await();
                    while (done.get() == 0) {
                        Thread.onSpinWait();
                    }
                    if (it >= 0) {
                        t[it] = (done.get() - t0) / 1e9;
                    }
                }
                Arrays.sort(t);
                out[mode] = t[reps / 2];
            }
            return out;
        });
        double idle = 0;
        double loaded = 0;
        for (double[] t : times) {
            idle += t[0] / ranks;
            loaded += t[1] / ranks;
        }
        // The ring's steps plus the hand-over to the progress thread.
        int waits = 2 * (ranks - 1) + 1;
        double link = CostModel.of(0, 0, 0).withLink(LINK).allreduceSeconds(Algorithm.RING, ranks,
                (long) FLOATS * CostModel.ELEMENT_BYTES);
        return new Result(idle, loaded, link, waits);
    }

    /** A few microseconds of arithmetic that the JIT cannot drop. */
    private static void spin(float[] w) {
        for (int k = 0; k < 16; k++) {
            for (int i = 1; i < w.length; i++) {
                w[i] = w[i] * 0.999f + w[i - 1] * 0.001f;
            }
        }
    }
}

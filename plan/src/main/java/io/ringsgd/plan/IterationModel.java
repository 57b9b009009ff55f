package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.cost.CostModel;
import java.util.EnumMap;
import java.util.Map;

/**
 * Iteration-time model of the trainers (after the Pipe-SGD paper's timing model), built on a {@link CostModel} of the
 * AllReduce: the steady-state time of one iteration (one mini-batch per rank) of N floats on P ranks. Each trainer's
 * formula is its own {@link TrainerCostModel}; this class holds what they share: the machine and job, and the building
 * blocks below.
 *
 * <p>Inputs: C, one rank's compute per iteration (batch, forward, backward, update) while all P ranks compute in lock
 * step, and C<sub>free</sub> while they run free (the compute probe measures both); E = N·ε, error feedback per vector
 * with compression; π, one pass over a vector per element; σ<sub>idle</sub> and σ<sub>load</sub>, how late a sleeping
 * communication thread wakes up, idle and while every core computes ({@link io.ringsgd.plan.probe.LoadProbe}); the
 * cores.
 *
 * <ul>
 *   <li>A, one AllReduce ({@link #allreduceSeconds}): the cost model (with σ<sub>idle</sub> per sleep) + N·π (AVG's
 *       division) + 2σ<sub>idle</sub> (the hand-over to the progress thread and back). With compression, the
 *       compressed ring.</li>
 *   <li>{@link #synchronous}: T = work + A: nothing overlaps the AllReduce.</li>
 *   <li>{@link #overlapped}, an AllReduce per round of s steps overlapped with them: the AllReduces run one after the
 *       other on the progress thread while the steps compute. The compute window is w = s·(C + e) + χ·W, where e is
 *       the per-step extra work, W the AllReduce's own CPU work (the model without its link) and χ the share of it
 *       taken from computation (1 when the ranks' compute and progress threads outnumber the cores). While the window
 *       lasts the AllReduce runs loaded, A<sub>load</sub>: every sleep wakes σ<sub>load</sub> late (the thread waits
 *       for a core held by a compute thread, about one scheduler slice) and its CPU work stretches by κ = max(1,
 *       2P/cores) / max(1, P/cores); after the window it runs at the idle speed. If A<sub>load</sub> fits in the
 *       free-running window w<sub>free</sub> = s·(C<sub>free</sub> + e) + χ·W, the ranks never wait and the period is
 *       w<sub>free</sub>; otherwise they wait every period, compute in lock step, and the period is
 *       max(w<sub>free</sub>, w + (1 − w/A<sub>load</sub>)·A) (w if A<sub>load</sub> ≤ w): the slower of compute and
 *       AllReduce, the AllReduce paying for the contention only while it overlaps computation. Per-round work after
 *       the window (passes over vectors) adds to the period, and the iteration is the period over s.</li>
 * </ul>
 *
 * <p>Build one with {@link #builder()}; then {@link #predict} any {@link TrainerSpec}. Immutable.
 */
public final class IterationModel {
    private final CostModel cost;
    private final int ranks;
    private final long parameters;
    private final double computeSeconds;
    private final double freeComputeSeconds;
    private final double passSeconds;
    private final Map<Compression, Double> feedbackSeconds;
    private final int cores;
    private final double idleWakeup;
    private final double loadedWakeup;

    private IterationModel(Builder b) {
        this.cost = b.cost;
        this.ranks = b.ranks;
        this.parameters = b.parameters;
        this.computeSeconds = b.computeSeconds;
        this.freeComputeSeconds = Double.isNaN(b.freeComputeSeconds) ? b.computeSeconds : b.freeComputeSeconds;
        this.passSeconds = b.passSeconds;
        this.feedbackSeconds = new EnumMap<>(b.feedbackSeconds);
        this.cores = b.cores;
        this.idleWakeup = b.idleWakeup;
        this.loadedWakeup = b.loadedWakeup;
    }

    /** A builder; cost, ranks, parameters and compute time are required. */
    public static Builder builder() {
        return new Builder();
    }

    public CostModel cost() {
        return cost;
    }

    public int ranks() {
        return ranks;
    }

    public long parameters() {
        return parameters;
    }

    /** Compute per iteration in lock step. */
    public double computeSeconds() {
        return computeSeconds;
    }

    /** Compute per iteration free-running. */
    public double freeRunningComputeSeconds() {
        return freeComputeSeconds;
    }

    public int cores() {
        return cores;
    }

    /** Seconds per element of one pass over a vector. */
    public double passSeconds() {
        return passSeconds;
    }

    /** Bytes of the trainer's vector (gradient or model). */
    public long bytes() {
        return parameters * CostModel.ELEMENT_BYTES;
    }

    /** Error feedback on one vector with {@code c}: N·ε, 0 without compression. */
    public double feedbackSeconds(Compression c) {
        return c == Compression.NONE ? 0 : parameters * feedbackSeconds.getOrDefault(c, 0.0);
    }

    /**
     * The predicted steady-state iteration of {@code spec}, by the {@link TrainerCostModel} of its trainer.
     *
     * @throws IllegalArgumentException if no model of the trainer is registered or the spec is not one it runs
     */
    public Prediction predict(TrainerSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec is null: pass e.g. the pipe trainer's TrainerSpec of width 2");
        }
        TrainerCostModel m = TrainerCostModels.of(spec.trainer());
        m.check(spec);
        return m.predict(this, spec);
    }

    /**
     * The AllReduce algorithm that runs for {@code spec}.
     *
     * @throws IllegalArgumentException if the spec compresses with a codec the cost model has no time for
     */
    public Algorithm algorithm(TrainerSpec spec) {
        Compression c = spec.compression();
        if (!cost.knowsCodec(c)) {
            throw new IllegalArgumentException("the cost model has no codec cost for " + c.cliName()
                    + ": add one with CostModel.withCodec (ringsgd plan --measure measures it)");
        }
        return spec.effectiveAlgorithm(ranks, bytes());
    }

    /** A: one AllReduce of the vector with {@code spec}'s algorithm and compression on an otherwise idle job. */
    public double allreduceSeconds(TrainerSpec spec) {
        return idleAllreduce(algorithm(spec), spec.compression());
    }

    /**
     * A synchronous iteration: {@code work} (compute and whatever else each step does) and then the AllReduce that
     * nothing overlaps.
     */
    public Prediction synchronous(TrainerSpec spec, double work) {
        Algorithm a = algorithm(spec);
        double ar = idleAllreduce(a, spec.compression());
        return new Prediction(spec, a, work + ar, work, ar, ar);
    }

    /**
     * One AllReduce per round of {@code steps} steps, overlapped with them (see the class comment): each step computes
     * C plus {@code stepWork}, and each round adds {@code roundWork} after the window (passes over vectors that
     * neither overlaps).
     */
    public Prediction overlapped(TrainerSpec spec, int steps, double stepWork, double roundWork) {
        Algorithm a = algorithm(spec);
        Compression c = spec.compression();
        long bytes = bytes();
        double divide = divideSeconds();
        double ar = idleAllreduce(a, c);
        double work = computeSeconds + stepWork;
        double cpu = ranks > 1 ? cpuShare() * (cost.hostSeconds(a, c, ranks, bytes) + divide) : 0;
        double window = steps * work + cpu;
        double freeWindow = steps * (freeComputeSeconds + stepWork) + cpu;
        double loaded = ranks > 1 ? allreduce(cost.withLoad(loadedWakeup, cpuStretch()), a, c, bytes)
                + divide * cpuStretch() + loadedWakeup + idleWakeup : 0;
        // Compute-bound, the ranks never wait for each other and compute free-running. Communication-bound, they
        // wait for the AllReduce every period and compute in lock step (never faster than free-running, though).
        double period = loaded <= freeWindow ? freeWindow : Math.max(freeWindow, overlap(window, ar, loaded));
        double t = (period + roundWork) / steps;
        double computeSide = ((loaded <= freeWindow ? freeWindow : Math.max(window, freeWindow)) + roundWork) / steps;
        return new Prediction(spec, a, t, computeSide, ar, Math.max(0, t - computeSide));
    }

    /** AVG's division of the result: one pass over the vector, none on one rank. */
    private double divideSeconds() {
        return ranks > 1 ? parameters * passSeconds : 0;
    }

    /** The idle AllReduce: the hand-over to the progress thread and back costs a wake-up each. */
    private double idleAllreduce(Algorithm a, Compression c) {
        return ranks > 1 ? allreduce(cost.withLoad(idleWakeup, 1), a, c, bytes()) + divideSeconds() + 2 * idleWakeup
                : 0;
    }

    /**
     * One period of an AllReduce overlapped with {@code window} seconds of computation: it takes {@code loaded} while
     * the computation runs and {@code idle} once it is done; whichever ends last ends the period.
     */
    static double overlap(double window, double idle, double loaded) {
        if (loaded <= window) {
            return window;
        }
        return window + (1 - window / loaded) * idle;
    }

    /**
     * How much slower a thread's CPU work gets when every rank's compute thread and progress thread want a core at
     * once, compared with the P threads the cost model was measured with: 2P threads on the cores instead of P.
     */
    double cpuStretch() {
        return Math.max(1.0, 2.0 * ranks / cores) / Math.max(1.0, (double) ranks / cores);
    }

    /** The share of an overlapped AllReduce's CPU work that slows computation (see the class comment). */
    double cpuShare() {
        double threads = 2.0 * ranks;
        return Math.max(0, Math.min(1, (threads - cores) / ranks));
    }

    private double allreduce(CostModel m, Algorithm a, Compression c, long bytes) {
        if (ranks == 1) {
            return 0;
        }
        return c == Compression.NONE ? m.allreduceSeconds(a, ranks, bytes)
                : m.compressedAllreduceSeconds(c, ranks, parameters);
    }

    /** Builder of {@link IterationModel}. */
    public static final class Builder {
        private CostModel cost;
        private int ranks;
        private long parameters = -1;
        private double computeSeconds = -1;
        private double freeComputeSeconds = Double.NaN;
        private double passSeconds;
        private final Map<Compression, Double> feedbackSeconds = new EnumMap<>(Compression.class);
        private int cores = Runtime.getRuntime().availableProcessors();
        private double idleWakeup;
        private double loadedWakeup;

        private Builder() {
        }

        /**
         * How late a thread that sleeps for a message wakes up: on an otherwise idle job and while every rank computes
         * (the σ of {@link CostModel#withLoad}; {@link io.ringsgd.plan.probe.LoadProbe} measures both). Default 0, 0: a
         * machine with a core for every thread.
         */
        public Builder wakeup(double idleSeconds, double loadedSeconds) {
            check(idleSeconds, "wake-up delay of an idle job");
            check(loadedSeconds, "wake-up delay under load");
            this.idleWakeup = idleSeconds;
            this.loadedWakeup = loadedSeconds;
            return this;
        }

        /** The AllReduce cost model, with the link if there is one. */
        public Builder cost(CostModel c) {
            this.cost = c;
            return this;
        }

        public Builder ranks(int p) {
            this.ranks = p;
            return this;
        }

        /** Floats in the parameter (and gradient) vector. */
        public Builder parameters(long n) {
            this.parameters = n;
            return this;
        }

        /**
         * Seconds per iteration of batch, forward, backward and update on one rank while all ranks compute in lock
         * step, each waiting for the others at the end of the iteration (synchronous SGD's compute phase).
         */
        public Builder computeSeconds(double s) {
            this.computeSeconds = s;
            return this;
        }

        /**
         * Seconds per iteration of one rank's compute while all ranks compute without ever waiting for each other
         * (Pipe-SGD and CoCoD-SGD when compute-bound); default: {@link #computeSeconds}. On a machine with fewer
         * cores than ranks this is usually longer than the lock-step time (the compute probe measures both).
         */
        public Builder freeRunningComputeSeconds(double s) {
            check(s, "free-running compute time per iteration");
            this.freeComputeSeconds = s;
            return this;
        }

        /** Seconds per element of one pass over a vector (the AVG division, CoCoD's copy and combine). */
        public Builder passSeconds(double s) {
            this.passSeconds = s;
            return this;
        }

        /** Seconds per element of error feedback with {@code c}. */
        public Builder feedbackSeconds(Compression c, double s) {
            if (c == null || c == Compression.NONE) {
                throw new IllegalArgumentException("error feedback belongs to fp16 or int8, got " + c);
            }
            check(s, "error feedback time per element");
            feedbackSeconds.put(c, s);
            return this;
        }

        /** Cores the ranks' threads share (default: this machine's). */
        public Builder cores(int n) {
            this.cores = n;
            return this;
        }

        /** Validates and builds. */
        public IterationModel build() {
            if (cost == null) {
                throw new IllegalArgumentException("no cost model: pass CostModel.of(alpha, beta, gamma) (with the"
                        + " link, if any)");
            }
            if (ranks < 1) {
                throw new IllegalArgumentException("ranks must be at least 1, got " + ranks);
            }
            if (parameters < 1) {
                throw new IllegalArgumentException("parameters must be at least 1, got " + parameters
                        + ": pass the model's parameter count");
            }
            check(computeSeconds, "compute time per iteration");
            check(passSeconds, "vector pass time per element");
            if (cores < 1) {
                throw new IllegalArgumentException("cores must be at least 1, got " + cores);
            }
            return new IterationModel(this);
        }

        private static void check(double v, String what) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(what + " must be a finite number of seconds >= 0, got " + v);
            }
        }
    }
}

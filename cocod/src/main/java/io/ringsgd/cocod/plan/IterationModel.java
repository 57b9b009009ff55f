package io.ringsgd.cocod.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.algorithm.CostModel;
import io.ringsgd.collectives.emulation.LinkModel;
import java.util.EnumMap;
import java.util.Map;

/**
 * Iteration-time model of the trainers (after the Pipe-SGD paper's timing model), built on a {@link CostModel} of the
 * AllReduce: the steady-state time of one iteration (one mini-batch per rank) of N floats on P ranks.
 *
 * <p>Inputs: C, one rank's compute per iteration (batch, forward, backward, update) while all P ranks compute in lock
 * step, and C<sub>free</sub> while they run free (see {@link ComputeProbe}); E = N·ε, error feedback per gradient
 * with compression; π, one pass over a vector per element; σ<sub>idle</sub> and σ<sub>load</sub>, how late a sleeping
 * communication thread wakes up, idle and while every core computes ({@link LoadProbe}); the cores.
 *
 * <ul>
 *   <li>A, one AllReduce: the cost model (with σ<sub>idle</sub> per sleep) + N·π (AVG's division) + 2σ<sub>idle</sub>
 *       (the hand-over to the progress thread and back). With compression, the compressed ring.</li>
 *   <li><b>sync</b>: T = C + E + A: nothing overlaps the AllReduce.</li>
 *   <li><b>pipe, width K ≥ 2</b>: the AllReduces run one after the other on the progress thread while the next
 *       iterations compute. The compute window is w = C + E + χ·W, where W is the AllReduce's own CPU work (the
 *       model without its link) and χ the share of it taken from computation (1 when the ranks' compute and progress
 *       threads outnumber the cores). While the window lasts the AllReduce runs loaded, A<sub>load</sub>: every
 *       sleep wakes σ<sub>load</sub> late (the thread waits for a core held by a compute thread, about one scheduler
 *       slice) and its CPU work stretches by κ = max(1, 2P/cores) / max(1, P/cores); after the window it runs at the
 *       idle speed. If A<sub>load</sub> fits in the free-running window w<sub>free</sub> = C<sub>free</sub> + E +
 *       χ·W, the ranks never wait and the period is w<sub>free</sub>; otherwise they wait every period, compute in
 *       lock step, and the period is max(w<sub>free</sub>, w + (1 − w/A<sub>load</sub>)·A) (w if A<sub>load</sub> ≤
 *       w): the slower of compute and AllReduce, the AllReduce paying for the contention only while it overlaps
 *       computation. Beyond K = 2 the steady state does not change (the AllReduces are serial); larger K only
 *       absorbs jitter and adds staleness.</li>
 *   <li><b>cocod, τ local steps</b>: one model AllReduce per round of τ steps, overlapped with them exactly as above
 *       with a window of τ steps, plus per round the snapshot, the copy to the wire and the combine (3 passes;
 *       compressed, 2 more and error feedback on the difference): T = (period + 3N·π [+ 2N·π + E]) / τ.</li>
 *   <li><b>parameter server</b> (reference): the server's link carries P pushes and P pulls of the whole vector,
 *       T = C + 2L + 2·P·n/B (host only: 2α + 2·P·n·β) + (P − 1)·n·γ for the server's reductions.</li>
 * </ul>
 *
 * <p>Build one with {@link #builder()} (or {@link #of}); then {@link #predict} any {@link TrainerSpec}. Immutable.
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

    /**
     * The common case in one call: {@code parameters} floats, {@code computeSeconds} of compute per iteration (one
     * rank's, while all ranks compute), {@code ranks} ranks on {@code link} (null: none) with the host costs of
     * {@code host}, this machine's cores, and, where given (null: none), the codec, vector-pass and error-feedback
     * times of {@code probe} and the wake-up delays of {@code load}.
     */
    public static IterationModel of(CostModel host, LinkModel link, int ranks, long parameters,
            double computeSeconds, ComputeProbe.Result probe, LoadProbe.Result load) {
        if (host == null) {
            throw new IllegalArgumentException("host cost model is null: pass CostModel.of(alpha, beta, gamma)");
        }
        CostModel cost = (probe != null ? probe.withCodecs(host) : host).withLink(link);
        Builder b = builder().cost(cost).ranks(ranks).parameters(parameters).computeSeconds(computeSeconds);
        if (probe != null) {
            b.vectorCosts(probe);
            if (probe.computeSeconds() > 0) {
                // Keep the probe's ratio of free-running to lock-step compute for the compute time given.
                b.freeRunningComputeSeconds(computeSeconds * probe.freeRunningComputeSeconds()
                        / probe.computeSeconds());
            }
        }
        if (load != null) {
            b.wakeup(load);
        }
        return b.build();
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

    /** The predicted steady-state iteration of {@code spec}. */
    public Prediction predict(TrainerSpec spec) {
        if (spec == null) {
            throw new IllegalArgumentException("spec is null: pass e.g. TrainerSpec.pipe(2, Algorithm.AUTO,"
                    + " Compression.NONE)");
        }
        long bytes = parameters * CostModel.ELEMENT_BYTES;
        if (spec.kind() == TrainerSpec.Kind.PARAMETER_SERVER) {
            return parameterServer(spec, bytes);
        }
        Compression c = spec.compression();
        if (!cost.knowsCodec(c)) {
            throw new IllegalArgumentException("the cost model has no codec cost for " + c.cliName()
                    + ": add one with CostModel.withCodec (ringsgd plan --measure measures it)");
        }
        Algorithm a = spec.effectiveAlgorithm(ranks, bytes);
        double divide = ranks > 1 ? parameters * passSeconds : 0;
        // Idle: the hand-over to the progress thread and back costs a wake-up each.
        double ar = ranks > 1 ? allreduce(cost.withLoad(idleWakeup, 1), a, c, bytes) + divide + 2 * idleWakeup : 0;
        boolean cocod = spec.kind() == TrainerSpec.Kind.COCOD;
        double feedback = c == Compression.NONE ? 0 : parameters * feedbackSeconds.getOrDefault(c, 0.0);
        // Gradient trainers compensate every gradient; CoCoD compensates the model difference once per round.
        double work = computeSeconds + (cocod ? 0 : feedback);
        if (spec.kind() == TrainerSpec.Kind.SYNC) {
            return new Prediction(spec, a, work + ar, work, ar, ar);
        }
        int steps = cocod ? spec.localSteps() : 1;
        // CoCoD per round: snapshot, copy to the wire, combine (with compression also the difference from the
        // reference and the reference update, and error feedback).
        double passes = !cocod || ranks == 1 ? 0 : (c == Compression.NONE ? 3 : 5) * parameters * passSeconds
                + feedback;
        double cpu = ranks > 1 ? cpuShare() * (cost.hostSeconds(a, c, ranks, bytes) + divide) : 0;
        double window = steps * work + cpu;
        double freeWindow = steps * (freeComputeSeconds + (cocod ? 0 : feedback)) + cpu;
        double loaded = ranks > 1 ? allreduce(cost.withLoad(loadedWakeup, cpuStretch()), a, c, bytes)
                + divide * cpuStretch() + loadedWakeup + idleWakeup : 0;
        // Compute-bound, the ranks never wait for each other and compute free-running. Communication-bound, they
        // wait for the AllReduce every period and compute in lock step (never faster than free-running, though).
        double period = loaded <= freeWindow ? freeWindow : Math.max(freeWindow, overlap(window, ar, loaded));
        double t = (period + passes) / steps;
        double computeSide = ((loaded <= freeWindow ? freeWindow : Math.max(window, freeWindow)) + passes) / steps;
        return new Prediction(spec, a, t, computeSide, ar, Math.max(0, t - computeSide));
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

    private Prediction parameterServer(TrainerSpec spec, long bytes) {
        double push;
        LinkModel link = cost.link();
        double moved = 2.0 * ranks * bytes;
        if (link != null) {
            push = 2 * link.latency().toNanos() / 1e9 + Math.max(moved / link.bytesPerSecond(),
                    2 * cost.alpha() + moved * cost.beta());
        } else {
            push = 2 * cost.alpha() + moved * cost.beta();
        }
        double server = ranks > 1 ? (ranks - 1.0) * bytes * cost.gamma() : 0;
        double comm = ranks > 1 ? push + server : 0;
        return new Prediction(spec, Algorithm.AUTO, computeSeconds + comm, computeSeconds, comm, comm);
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
         * (the σ of {@link CostModel#withLoad}; {@link LoadProbe} measures both). Default 0, 0: a machine with a core
         * for every thread.
         */
        public Builder wakeup(double idleSeconds, double loadedSeconds) {
            check(idleSeconds, "wake-up delay of an idle job");
            check(loadedSeconds, "wake-up delay under load");
            this.idleWakeup = idleSeconds;
            this.loadedWakeup = loadedSeconds;
            return this;
        }

        /** The wake-up delays measured by a {@link LoadProbe}. */
        public Builder wakeup(LoadProbe.Result probe) {
            return wakeup(probe.idleWakeupSeconds(), probe.loadedWakeupSeconds());
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
         * cores than ranks this is usually longer than the lock-step time ({@link ComputeProbe} measures both).
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

        /** The vector-pass and error-feedback times measured by {@code probe}. */
        public Builder vectorCosts(ComputeProbe.Result probe) {
            passSeconds(probe.passSeconds());
            probe.feedbackSeconds().forEach(this::feedbackSeconds);
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

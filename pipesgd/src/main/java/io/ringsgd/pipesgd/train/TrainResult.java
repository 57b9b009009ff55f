package io.ringsgd.pipesgd.train;

import java.util.List;

/**
 * The outcome of a run on one rank: final test accuracy, timings and the SHA-256 of the final parameters (the same
 * on every rank). Times are this rank's; {@link #meanComputeMs()} and {@link #meanCommWaitMs()} average over ranks.
 * Immutable; trainers build it with {@link Builder}.
 */
public final class TrainResult {
    private final TrainConfig config;
    private final String trainer;
    private final int width;
    private final int workers;
    private final int rank;
    private final String model;
    private final int parameterCount;
    private final String data;
    private final long iterations;
    private final long startIteration;
    private final double finalTestAccuracy;
    private final double finalTestLoss;
    private final double wallSeconds;
    private final double trainSeconds;
    private final double evalSeconds;
    private final double checkpointSeconds;
    private final double computeMs;
    private final double commWaitMs;
    private final double meanComputeMs;
    private final double meanCommWaitMs;
    private final String paramsSha256;
    private final float[] parameters;
    private final List<EvaluationStats> evaluations;
    private final List<EpochStats> epochs;
    private final String device;

    private TrainResult(Builder b) {
        this.config = b.config;
        this.trainer = b.trainer;
        this.width = b.width;
        this.workers = b.workers;
        this.rank = b.rank;
        this.model = b.model;
        this.parameterCount = b.parameterCount;
        this.data = b.data;
        this.iterations = b.iterations;
        this.startIteration = b.startIteration;
        this.finalTestAccuracy = b.finalTestAccuracy;
        this.finalTestLoss = b.finalTestLoss;
        this.wallSeconds = b.wallSeconds;
        this.trainSeconds = b.trainSeconds;
        this.evalSeconds = b.evalSeconds;
        this.checkpointSeconds = b.checkpointSeconds;
        this.computeMs = b.computeMs;
        this.commWaitMs = b.commWaitMs;
        this.meanComputeMs = b.meanComputeMs;
        this.meanCommWaitMs = b.meanCommWaitMs;
        this.paramsSha256 = b.paramsSha256;
        this.parameters = b.parameters.clone();
        this.evaluations = List.copyOf(b.evaluations);
        this.epochs = List.copyOf(b.epochs);
        this.device = b.device;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The configuration of the run. */
    public TrainConfig config() {
        return config;
    }

    public String trainer() {
        return trainer;
    }

    /** Pipeline width K actually used. */
    public int width() {
        return width;
    }

    public int workers() {
        return workers;
    }

    /** The rank this result belongs to. */
    public int rank() {
        return rank;
    }

    /** Model description. */
    public String model() {
        return model;
    }

    public int parameterCount() {
        return parameterCount;
    }

    /** Where the data came from. */
    public String data() {
        return data;
    }

    /** Configured epochs. */
    public int epochs() {
        return config.epochs();
    }

    /** Iterations completed in total (including those before a resume). */
    public long iterations() {
        return iterations;
    }

    /** Iteration this run started at (0 unless resumed). */
    public long startIteration() {
        return startIteration;
    }

    /** Iterations run by this invocation. */
    public long iterationsRun() {
        return iterations - startIteration;
    }

    public double finalTestAccuracy() {
        return finalTestAccuracy;
    }

    public double finalTestLoss() {
        return finalTestLoss;
    }

    /** Wall-clock seconds of the training loop, evaluations and checkpoints included (data loading excluded). */
    public double wallSeconds() {
        return wallSeconds;
    }

    /** Training seconds: wall time minus evaluation and checkpoint time. */
    public double trainSeconds() {
        return trainSeconds;
    }

    public double evalSeconds() {
        return evalSeconds;
    }

    public double checkpointSeconds() {
        return checkpointSeconds;
    }

    /** Training time per iteration run, in milliseconds. */
    public double meanIterationMs() {
        long n = iterationsRun();
        return n == 0 ? 0 : trainSeconds * 1000.0 / n;
    }

    /** This rank's time computing, milliseconds. */
    public double computeMs() {
        return computeMs;
    }

    /** This rank's time blocked waiting for AllReduce results, milliseconds. */
    public double commWaitMs() {
        return commWaitMs;
    }

    /** Compute time averaged over ranks, milliseconds. */
    public double meanComputeMs() {
        return meanComputeMs;
    }

    /** Communication wait averaged over ranks, milliseconds. */
    public double meanCommWaitMs() {
        return meanCommWaitMs;
    }

    /** SHA-256 of the final parameters' bits (see {@link ParameterDigest}). */
    public String paramsSha256() {
        return paramsSha256;
    }

    /** A copy of the final parameters. */
    public float[] parameters() {
        return parameters.clone();
    }

    /** Every test evaluation of this run, in order. */
    public List<EvaluationStats> evaluations() {
        return evaluations;
    }

    /** Per-epoch totals of this rank, in order. */
    public List<EpochStats> epochStats() {
        return epochs;
    }

    /** Where this rank computed: "cpu", or the device's name ("cuda:0 NVIDIA ...", "host (Java, ...)"). */
    public String device() {
        return device;
    }

    @Override
    public String toString() {
        return String.format("%s width %d on %d workers: %d iterations, test accuracy %.4f, %.1f s (train %.1f s, "
                + "eval %.1f s), %.2f ms/iteration, compute %.0f ms, comm wait %.0f ms, params %s", trainer, width,
                workers, iterations, finalTestAccuracy, wallSeconds, trainSeconds, evalSeconds, meanIterationMs(),
                meanComputeMs, meanCommWaitMs, paramsSha256);
    }

    /** Builder of {@link TrainResult}, for trainers. */
    public static final class Builder {
        private TrainConfig config;
        private String trainer;
        private int width;
        private int workers;
        private int rank;
        private String model;
        private int parameterCount;
        private String data;
        private long iterations;
        private long startIteration;
        private double finalTestAccuracy = Double.NaN;
        private double finalTestLoss = Double.NaN;
        private double wallSeconds;
        private double trainSeconds;
        private double evalSeconds;
        private double checkpointSeconds;
        private double computeMs;
        private double commWaitMs;
        private double meanComputeMs;
        private double meanCommWaitMs;
        private String paramsSha256;
        private float[] parameters = new float[0];
        private List<EvaluationStats> evaluations = List.of();
        private List<EpochStats> epochs = List.of();
        private String device = "cpu";

        private Builder() {
        }

        public Builder config(TrainConfig c) {
            this.config = c;
            return this;
        }

        public Builder trainer(String t) {
            this.trainer = t;
            return this;
        }

        public Builder width(int k) {
            this.width = k;
            return this;
        }

        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        public Builder rank(int r) {
            this.rank = r;
            return this;
        }

        public Builder model(String m) {
            this.model = m;
            return this;
        }

        public Builder parameterCount(int n) {
            this.parameterCount = n;
            return this;
        }

        public Builder data(String d) {
            this.data = d;
            return this;
        }

        public Builder iterations(long n) {
            this.iterations = n;
            return this;
        }

        public Builder startIteration(long n) {
            this.startIteration = n;
            return this;
        }

        public Builder finalTest(double accuracy, double loss) {
            this.finalTestAccuracy = accuracy;
            this.finalTestLoss = loss;
            return this;
        }

        public Builder seconds(double wall, double train, double eval, double checkpoint) {
            this.wallSeconds = wall;
            this.trainSeconds = train;
            this.evalSeconds = eval;
            this.checkpointSeconds = checkpoint;
            return this;
        }

        public Builder computeAndWait(double computeMillis, double waitMillis, double meanComputeMillis,
                double meanWaitMillis) {
            this.computeMs = computeMillis;
            this.commWaitMs = waitMillis;
            this.meanComputeMs = meanComputeMillis;
            this.meanCommWaitMs = meanWaitMillis;
            return this;
        }

        /** The final parameters (copied) and their digest. */
        public Builder parameters(float[] p) {
            this.parameters = p.clone();
            this.paramsSha256 = ParameterDigest.sha256(p);
            return this;
        }

        public Builder evaluations(List<EvaluationStats> e) {
            this.evaluations = e;
            return this;
        }

        public Builder epochStats(List<EpochStats> e) {
            this.epochs = e;
            return this;
        }

        /** Where the rank computed (default "cpu"). */
        public Builder device(String d) {
            this.device = d;
            return this;
        }

        public TrainResult build() {
            if (config == null || trainer == null) {
                throw new IllegalStateException("a result needs its config and trainer name");
            }
            return new TrainResult(this);
        }
    }
}

package io.ringsgd.pipesgd.train;

import java.util.List;

/**
 * The outcome of a run on one rank: final test accuracy, timings and the SHA-256 of the final parameters (the same
 * on every rank). Times are this rank's; {@link #meanComputeMs()} and {@link #meanCommWaitMs()} average over ranks.
 * Trainers build it with {@link Builder}.
 *
 * @param config            the configuration of the run
 * @param trainer           the trainer's name
 * @param width             pipeline width K actually used (1 for trainers without a pipeline)
 * @param workers           ranks of the run
 * @param rank              the rank this result belongs to
 * @param model             model description
 * @param parameterCount    parameters of the model
 * @param data              where the data came from
 * @param iterations        iterations completed in total (including those before a resume)
 * @param startIteration    iteration this run started at (0 unless resumed)
 * @param finalTestAccuracy test accuracy after the last iteration
 * @param finalTestLoss     test loss after the last iteration
 * @param wallSeconds       wall-clock seconds of the training loop, evaluations and checkpoints included (data loading
 *                          excluded)
 * @param trainSeconds      training seconds: wall time minus evaluation and checkpoint time
 * @param evalSeconds       seconds of test evaluations
 * @param checkpointSeconds seconds of checkpoint work
 * @param computeMs         this rank's time computing, milliseconds
 * @param commWaitMs        this rank's time blocked waiting for AllReduce results, milliseconds
 * @param meanComputeMs     compute time averaged over ranks, milliseconds
 * @param meanCommWaitMs    communication wait averaged over ranks, milliseconds
 * @param paramsSha256      SHA-256 of the final parameters' bits (see {@link ParameterDigest})
 * @param parameters        the final parameters (the accessor returns a copy)
 * @param evaluations       every test evaluation of this run, in order
 * @param epochStats        per-epoch totals of this rank, in order
 * @param device            where this rank computed: "cpu", or the device's name ("cuda:0 NVIDIA ...", "host (Java,
 *                          ...)")
 */
public record TrainResult(TrainConfig config, String trainer, int width, int workers, int rank, String model,
        int parameterCount, String data, long iterations, long startIteration, double finalTestAccuracy,
        double finalTestLoss, double wallSeconds, double trainSeconds, double evalSeconds, double checkpointSeconds,
        double computeMs, double commWaitMs, double meanComputeMs, double meanCommWaitMs, String paramsSha256,
        float[] parameters, List<EvaluationStats> evaluations, List<EpochStats> epochStats, String device) {

    public TrainResult {
        if (config == null || trainer == null) {
            throw new IllegalStateException("a result needs its config and trainer name");
        }
        parameters = parameters.clone();
        evaluations = List.copyOf(evaluations);
        epochStats = List.copyOf(epochStats);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A copy of the final parameters. */
    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    /** Configured epochs. */
    public int epochs() {
        return config.data().epochs();
    }

    /** Iterations run by this invocation. */
    public long iterationsRun() {
        return iterations - startIteration;
    }

    /** Training time per iteration run, in milliseconds. */
    public double meanIterationMs() {
        long n = iterationsRun();
        return n == 0 ? 0 : trainSeconds * 1000.0 / n;
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
            return new TrainResult(config, trainer, width, workers, rank, model, parameterCount, data, iterations,
                    startIteration, finalTestAccuracy, finalTestLoss, wallSeconds, trainSeconds, evalSeconds,
                    checkpointSeconds, computeMs, commWaitMs, meanComputeMs, meanCommWaitMs, paramsSha256, parameters,
                    evaluations, epochs, device);
        }
    }
}

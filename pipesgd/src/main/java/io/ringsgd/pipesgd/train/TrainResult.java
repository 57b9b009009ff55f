package io.ringsgd.pipesgd.train;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The outcome of a run on one rank, returned by {@link Trainer#train}: final test accuracy and loss, every evaluation,
 * timings, and the final parameters with their SHA-256 (the same on every rank). Times are this rank's;
 * {@link #meanComputeMs()} and {@link #meanCommWaitMs()} average over ranks. Immutable (the parameters accessor returns
 * a copy) and thread-safe. Trainers build it with {@link Builder}.
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
 * @param trainerStats      what the trainer measured besides the shared numbers, by name (e.g. the asynchronous
 *                          trainer's delay histogram): numbers, text, or maps of them; {@code summary.json} has them
 *                          under {@code trainer_stats}
 * @param wireBytesSent     bytes this rank's transport posted for sending during training (from the start of the
 *                          first iteration to the end of the last, evaluations included), counted by the transport;
 *                          −1 where the transport does not count
 */
public record TrainResult(TrainConfig config, String trainer, int width, int workers, int rank, String model,
        int parameterCount, String data, long iterations, long startIteration, double finalTestAccuracy,
        double finalTestLoss, double wallSeconds, double trainSeconds, double evalSeconds, double checkpointSeconds,
        double computeMs, double commWaitMs, double meanComputeMs, double meanCommWaitMs, String paramsSha256,
        float[] parameters, List<EvaluationStats> evaluations, List<EpochStats> epochStats, String device,
        Map<String, Object> trainerStats, long wireBytesSent) {

    /**
     * Copies the parameters and lists.
     *
     * @throws IllegalStateException if the config or trainer name is missing
     */
    public TrainResult {
        if (config == null || trainer == null) {
            throw new IllegalStateException("a result needs its config and trainer name");
        }
        parameters = parameters.clone();
        evaluations = List.copyOf(evaluations);
        epochStats = List.copyOf(epochStats);
        trainerStats = Collections.unmodifiableMap(new LinkedHashMap<>(trainerStats));
    }

    /**
     * A builder, for trainers.
     *
     * @return a new builder
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * The final parameters (a copy; bit-identical on every rank). Load them into a model of the same shape to use it:
     * {@code cfg.modelFactory().create(features, classes)} and its {@link io.ringsgd.pipesgd.model.Model#evaluate}.
     *
     * @return a new array of {@link #parameterCount()} floats
     */
    @Override
    public float[] parameters() {
        return parameters.clone();
    }

    /**
     * Configured epochs.
     *
     * @return {@code config().data().epochs()}
     */
    public int epochs() {
        return config.data().epochs();
    }

    /**
     * Iterations run by this invocation (fewer than {@link #iterations()} after a resume).
     *
     * @return {@code iterations - startIteration}
     */
    public long iterationsRun() {
        return iterations - startIteration;
    }

    /**
     * Training time per iteration run (evaluation and checkpoints excluded), in milliseconds.
     *
     * @return milliseconds, 0 if no iteration ran
     */
    public double meanIterationMs() {
        long n = iterationsRun();
        return n == 0 ? 0 : trainSeconds * 1000.0 / n;
    }

    /**
     * Bytes this rank's transport sent per iteration run (training traffic: gradients or models, and the few bytes of
     * evaluations), or −1 where the transport does not count or no iteration ran.
     *
     * @return the mean
     */
    public double wireBytesPerIteration() {
        long it = iterationsRun();
        return wireBytesSent < 0 || it <= 0 ? -1 : (double) wireBytesSent / it;
    }

    /** One line: trainer, width, workers, iterations, accuracy, times and the parameters' digest. */
    @Override
    public String toString() {
        return String.format("%s width %d on %d workers: %d iterations, test accuracy %.4f, %.1f s (train %.1f s, "
                + "eval %.1f s), %.2f ms/iteration, compute %.0f ms, comm wait %.0f ms, params %s", trainer, width,
                workers, iterations, finalTestAccuracy, wallSeconds, trainSeconds, evalSeconds, meanIterationMs(),
                meanComputeMs, meanCommWaitMs, paramsSha256);
    }

    /**
     * Builder of {@link TrainResult}, for trainers; each setter sets the record component of the same name and returns
     * the builder. Defaults: NaN accuracy and loss, no parameters, evaluations or epochs, device "cpu". Not
     * thread-safe.
     */
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
        private Map<String, Object> trainerStats = Map.of();
        private long wireBytesSent = -1;

        private Builder() {
        }

        /**
         * The configuration of the run (required).
         *
         * @param c the configuration
         * @return this builder
         */
        public Builder config(TrainConfig c) {
            this.config = c;
            return this;
        }

        /**
         * The trainer's name (required).
         *
         * @param t the name
         * @return this builder
         */
        public Builder trainer(String t) {
            this.trainer = t;
            return this;
        }

        /**
         * The pipeline width used.
         *
         * @param k the width (1 without a pipeline)
         * @return this builder
         */
        public Builder width(int k) {
            this.width = k;
            return this;
        }

        /**
         * The ranks of the run.
         *
         * @param n the group's size
         * @return this builder
         */
        public Builder workers(int n) {
            this.workers = n;
            return this;
        }

        /**
         * The rank the result belongs to.
         *
         * @param r the rank
         * @return this builder
         */
        public Builder rank(int r) {
            this.rank = r;
            return this;
        }

        /**
         * The model's description.
         *
         * @param m e.g. "mlp 784-256-128-10"
         * @return this builder
         */
        public Builder model(String m) {
            this.model = m;
            return this;
        }

        /**
         * The model's parameter count.
         *
         * @param n parameters
         * @return this builder
         */
        public Builder parameterCount(int n) {
            this.parameterCount = n;
            return this;
        }

        /**
         * Where the data came from.
         *
         * @param d the data description
         * @return this builder
         */
        public Builder data(String d) {
            this.data = d;
            return this;
        }

        /**
         * Iterations completed in total, those before a resume included.
         *
         * @param n iterations
         * @return this builder
         */
        public Builder iterations(long n) {
            this.iterations = n;
            return this;
        }

        /**
         * The iteration this invocation started at.
         *
         * @param n 0, or the resumed checkpoint's iteration
         * @return this builder
         */
        public Builder startIteration(long n) {
            this.startIteration = n;
            return this;
        }

        /**
         * The last evaluation's numbers.
         *
         * @param accuracy test accuracy, a fraction
         * @param loss     mean test loss
         * @return this builder
         */
        public Builder finalTest(double accuracy, double loss) {
            this.finalTestAccuracy = accuracy;
            this.finalTestLoss = loss;
            return this;
        }

        /**
         * The run's times in seconds.
         *
         * @param wall       wall-clock time of the loop
         * @param train      training time (wall minus evaluations and checkpoints)
         * @param eval       evaluation time
         * @param checkpoint checkpoint time
         * @return this builder
         */
        public Builder seconds(double wall, double train, double eval, double checkpoint) {
            this.wallSeconds = wall;
            this.trainSeconds = train;
            this.evalSeconds = eval;
            this.checkpointSeconds = checkpoint;
            return this;
        }

        /**
         * Compute and communication-wait times in milliseconds.
         *
         * @param computeMillis     this rank's compute time
         * @param waitMillis        this rank's wait for communication
         * @param meanComputeMillis compute time averaged over ranks
         * @param meanWaitMillis    communication wait averaged over ranks
         * @return this builder
         */
        public Builder computeAndWait(double computeMillis, double waitMillis, double meanComputeMillis,
                double meanWaitMillis) {
            this.computeMs = computeMillis;
            this.commWaitMs = waitMillis;
            this.meanComputeMs = meanComputeMillis;
            this.meanCommWaitMs = meanWaitMillis;
            return this;
        }

        /**
         * The final parameters (copied) and their digest ({@link ParameterDigest#sha256}).
         *
         * @param p the parameters
         * @return this builder
         */
        public Builder parameters(float[] p) {
            this.parameters = p.clone();
            this.paramsSha256 = ParameterDigest.sha256(p);
            return this;
        }

        /**
         * Every evaluation of the run, in order.
         *
         * @param e the evaluations
         * @return this builder
         */
        public Builder evaluations(List<EvaluationStats> e) {
            this.evaluations = e;
            return this;
        }

        /**
         * This rank's per-epoch totals, in order.
         *
         * @param e the epochs
         * @return this builder
         */
        public Builder epochStats(List<EpochStats> e) {
            this.epochs = e;
            return this;
        }

        /**
         * Where the rank computed (default "cpu").
         *
         * @param d "cpu" or the device's name
         * @return this builder
         */
        public Builder device(String d) {
            this.device = d;
            return this;
        }

        /**
         * What the trainer measured besides the shared numbers (default none), in the order given.
         *
         * @param stats name to a number, a text, or a map of them
         * @return this builder
         */
        /**
         * Bytes this rank's transport sent during training (−1: not counted).
         *
         * @param bytes the count
         * @return this builder
         */
        public Builder wireBytesSent(long bytes) {
            this.wireBytesSent = bytes;
            return this;
        }

        public Builder trainerStats(Map<String, Object> stats) {
            this.trainerStats = stats;
            return this;
        }

        /**
         * The result.
         *
         * @return a new result
         * @throws IllegalStateException if the config or trainer name is missing
         */
        public TrainResult build() {
            return new TrainResult(config, trainer, width, workers, rank, model, parameterCount, data, iterations,
                    startIteration, finalTestAccuracy, finalTestLoss, wallSeconds, trainSeconds, evalSeconds,
                    checkpointSeconds, computeMs, commWaitMs, meanComputeMs, meanCommWaitMs, paramsSha256, parameters,
                    evaluations, epochs, device, trainerStats, wireBytesSent);
        }
    }
}

package io.ringsgd.pipesgd.model;

/** Accuracy and mean loss of a model on a set of samples. Immutable. */
public final class Evaluation {
    private final long samples;
    private final long correct;
    private final double lossSum;

    /**
     * An evaluation from its counts.
     *
     * @param samples samples evaluated
     * @param correct samples classified correctly
     * @param lossSum sum of the per-sample losses
     */
    public Evaluation(long samples, long correct, double lossSum) {
        this.samples = samples;
        this.correct = correct;
        this.lossSum = lossSum;
    }

    /** Samples evaluated. */
    public long samples() {
        return samples;
    }

    /** Samples whose most probable class was the label. */
    public long correct() {
        return correct;
    }

    /** Sum of the per-sample losses. */
    public double lossSum() {
        return lossSum;
    }

    /** Fraction correct, in [0, 1] (NaN for no samples). */
    public double accuracy() {
        return samples == 0 ? Double.NaN : (double) correct / samples;
    }

    /** Mean per-sample loss (NaN for no samples). */
    public double meanLoss() {
        return samples == 0 ? Double.NaN : lossSum / samples;
    }

    /** One line: accuracy, loss and samples. */
    @Override
    public String toString() {
        return String.format("accuracy %.4f, loss %.4f on %d samples", accuracy(), meanLoss(), samples);
    }

    /** A running sum of evaluation results, filled batch by batch. Not thread-safe. */
    public static final class Tally {
        private long samples;
        private long correct;
        private double lossSum;

        /**
         * Adds one batch's counts.
         *
         * @param batchSamples samples of the batch
         * @param batchCorrect of which classified correctly
         * @param batchLossSum their summed loss
         */
        public void add(long batchSamples, long batchCorrect, double batchLossSum) {
            samples += batchSamples;
            correct += batchCorrect;
            lossSum += batchLossSum;
        }

        /**
         * Samples so far.
         *
         * @return the count
         */
        public long samples() {
            return samples;
        }

        /**
         * Correct classifications so far.
         *
         * @return the count
         */
        public long correct() {
            return correct;
        }

        /**
         * Summed loss so far.
         *
         * @return the sum
         */
        public double lossSum() {
            return lossSum;
        }

        /**
         * The totals so far.
         *
         * @return a new evaluation
         */
        public Evaluation result() {
            return new Evaluation(samples, correct, lossSum);
        }
    }
}

package io.ringsgd.pipesgd.data;

/**
 * A training set and a test set with the same features and classes, and a one-line description of where they came
 * from (for logs and the CLI: it says when the embedded subset stands in for the full data set). Immutable and shared
 * read-only by every worker thread.
 */
public final class TrainTestData {
    private final Dataset train;
    private final Dataset test;
    private final String description;
    private final boolean embeddedSubset;

    /**
     * A pair of sets.
     *
     * @param train          the training set
     * @param test           the test set, with as many features per sample
     * @param description    where the data came from
     * @param embeddedSubset whether the embedded subset stands in for the full data set
     * @throws IllegalArgumentException if the feature counts differ
     */
    public TrainTestData(Dataset train, Dataset test, String description, boolean embeddedSubset) {
        if (train.featureCount() != test.featureCount()) {
            throw new IllegalArgumentException("training samples have " + train.featureCount()
                    + " features but test samples have " + test.featureCount() + ": use matching files");
        }
        this.train = train;
        this.test = test;
        this.description = description;
        this.embeddedSubset = embeddedSubset;
    }

    /**
     * The training set, sharded across ranks by the trainers.
     *
     * @return the set
     */
    public Dataset train() {
        return train;
    }

    /**
     * The test set, evaluated after every epoch.
     *
     * @return the set
     */
    public Dataset test() {
        return test;
    }

    /** Features per sample. */
    public int featureCount() {
        return train.featureCount();
    }

    /** Classes of the task (the larger of the two sets' counts). */
    public int classCount() {
        return Math.max(train.classCount(), test.classCount());
    }

    /** Where the data came from, e.g. "Fashion-MNIST from /usr/share/datasets/fashion-mnist (60000 train, ...)". */
    public String description() {
        return description;
    }

    /** True when the embedded Fashion-MNIST subset was used because the full data set was not found. */
    public boolean embeddedSubset() {
        return embeddedSubset;
    }
}

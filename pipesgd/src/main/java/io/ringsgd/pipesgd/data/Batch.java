package io.ringsgd.pipesgd.data;

/**
 * A mini-batch materialized into reused buffers: {@code size} samples of {@code featureCount} floats, sample-major
 * (row-major {@code size × featureCount}), and their labels. Allocated once per worker, refilled every iteration; not
 * thread-safe.
 */
public final class Batch {
    private final int featureCount;
    private float[] features;
    private int[] labels;
    private int size;

    /** A batch that holds up to {@code capacity} samples (it grows if asked to hold more). */
    public Batch(int capacity, int featureCount) {
        if (capacity < 1 || featureCount < 1) {
            throw new IllegalArgumentException("batch capacity and feature count must be positive, got " + capacity
                    + " and " + featureCount);
        }
        this.featureCount = featureCount;
        this.features = new float[Math.multiplyExact(capacity, featureCount)];
        this.labels = new int[capacity];
    }

    /** Row-major {@code size × featureCount} features; only the first {@code size} rows are valid. */
    public float[] features() {
        return features;
    }

    /** Labels; only the first {@code size} are valid. */
    public int[] labels() {
        return labels;
    }

    /** Valid samples. */
    public int size() {
        return size;
    }

    /**
     * Floats per sample.
     *
     * @return the feature count
     */
    public int featureCount() {
        return featureCount;
    }

    /** Samples the buffers hold without growing. */
    public int capacity() {
        return labels.length;
    }

    /** Makes room for {@code n} samples (growing the buffers only if needed) and sets the size to {@code n}. */
    public void resize(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("batch size must not be negative, got " + n);
        }
        if (n > labels.length) {
            features = new float[Math.multiplyExact(n, featureCount)];
            labels = new int[n];
        }
        size = n;
    }

    /** Sets sample {@code slot} of this batch to sample {@code index} of {@code data}. */
    public void set(int slot, Dataset data, int index) {
        data.copyFeatures(index, features, slot * featureCount);
        labels[slot] = data.label(index);
    }
}

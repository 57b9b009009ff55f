package io.ringsgd.pipesgd.data;

/**
 * A labelled data set stored once, compactly, as unsigned bytes (one byte per feature, features scaled to [0, 1] when
 * a batch is materialized). Immutable and shared read-only by every worker thread of a JVM.
 */
public final class Dataset {
    private static final float[] SCALE = new float[256];

    static {
        for (int i = 0; i < 256; i++) {
            SCALE[i] = i / 255f;
        }
    }

    private final String name;
    private final byte[] features;
    private final byte[] labels;
    private final int size;
    private final int featureCount;
    private final int classCount;

    /**
     * Wraps (does not copy) {@code features} ({@code size × featureCount} bytes, sample-major) and {@code labels}
     * ({@code size} bytes, each below {@code classCount}); the caller must not change them afterwards.
     *
     * @param name         short name for messages
     * @param features     sample-major feature bytes
     * @param labels       one label byte per sample
     * @param featureCount features per sample, at least 1
     * @param classCount   classes, 2 to 256
     * @throws IllegalArgumentException if the sizes do not match or a label is not below {@code classCount}
     */
    public Dataset(String name, byte[] features, byte[] labels, int featureCount, int classCount) {
        if (featureCount < 1) {
            throw new IllegalArgumentException("a data set needs at least one feature per sample, got " + featureCount);
        }
        if (classCount < 2 || classCount > 256) {
            throw new IllegalArgumentException("a data set needs 2 to 256 classes, got " + classCount);
        }
        if (features.length % featureCount != 0 || features.length / featureCount != labels.length) {
            throw new IllegalArgumentException(name + ": " + features.length + " feature bytes do not make "
                    + labels.length + " samples of " + featureCount + " features");
        }
        for (int i = 0; i < labels.length; i++) {
            if ((labels[i] & 0xFF) >= classCount) {
                throw new IllegalArgumentException(name + ": label " + (labels[i] & 0xFF) + " of sample " + i
                        + " is not below the class count " + classCount);
            }
        }
        this.name = name;
        this.features = features;
        this.labels = labels;
        this.size = labels.length;
        this.featureCount = featureCount;
        this.classCount = classCount;
    }

    /** Short name (e.g. "fashion-mnist train"). */
    public String name() {
        return name;
    }

    /** Number of samples. */
    public int size() {
        return size;
    }

    /** Features per sample (784 for 28×28 images). */
    public int featureCount() {
        return featureCount;
    }

    /** Number of classes; labels are 0 … classCount−1. */
    public int classCount() {
        return classCount;
    }

    /** Label of sample {@code i}. */
    public int label(int i) {
        return labels[i] & 0xFF;
    }

    /** Raw byte {@code j} of sample {@code i} (0 … 255). */
    public int featureByte(int i, int j) {
        return features[i * featureCount + j] & 0xFF;
    }

    /** Writes sample {@code i}'s features, scaled to [0, 1], into {@code dst[off, off+featureCount)}. */
    public void copyFeatures(int i, float[] dst, int off) {
        int src = i * featureCount;
        for (int j = 0; j < featureCount; j++) {
            dst[off + j] = SCALE[features[src + j] & 0xFF];
        }
    }
}

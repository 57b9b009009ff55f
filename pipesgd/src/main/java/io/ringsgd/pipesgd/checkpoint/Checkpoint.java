package io.ringsgd.pipesgd.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of one checkpoint file: the number of iterations completed, string metadata (configuration
 * fingerprint, trainer state) and named float arrays (parameters, optimizer state, residuals, in-flight gradients).
 * A plain container: trainers decide what goes in. Arrays are stored by reference. Not thread-safe. Written and read
 * with {@link CheckpointStore}; a run's checkpoints are configured with {@code TrainConfig.Builder.checkpointDir},
 * {@code checkpointEvery} and {@code resume}, and the trainers write and restore them themselves.
 */
public final class Checkpoint {
    private final long iteration;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private final Map<String, float[]> arrays = new LinkedHashMap<>();

    /**
     * An empty checkpoint of the state after {@code iteration} completed iterations.
     *
     * @param iteration iterations completed, &gt;= 0
     * @throws IllegalArgumentException if {@code iteration} is negative
     */
    public Checkpoint(long iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        }
        this.iteration = iteration;
    }

    /**
     * Iterations completed when the state was saved (the next one to run).
     *
     * @return the iteration
     */
    public long iteration() {
        return iteration;
    }

    /**
     * Sets a metadata entry.
     *
     * @param key   the entry's name
     * @param value its value
     * @return this checkpoint
     */
    public Checkpoint put(String key, String value) {
        meta.put(key, value);
        return this;
    }

    /**
     * Sets a named array (by reference: do not change it before the checkpoint is written).
     *
     * @param name  the array's name
     * @param array its values
     * @return this checkpoint
     */
    public Checkpoint put(String name, float[] array) {
        arrays.put(name, array);
        return this;
    }

    /**
     * A metadata value.
     *
     * @param key the entry's name
     * @return its value, or null
     */
    public String meta(String key) {
        return meta.get(key);
    }

    /**
     * A metadata value that must be there.
     *
     * @param key the entry's name
     * @return its value
     * @throws CheckpointException if it is missing (another trainer or version wrote the file)
     */
    public String requireMeta(String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new CheckpointException("checkpoint of iteration " + iteration + " has no '" + key
                    + "' entry: it was written by another trainer or version");
        }
        return v;
    }

    /**
     * A named array.
     *
     * @param name the array's name
     * @return the array (not a copy), or null
     */
    public float[] array(String name) {
        return arrays.get(name);
    }

    /**
     * A named array that must be there with the given length.
     *
     * @param name   the array's name
     * @param length the length this run needs
     * @return the array (not a copy)
     * @throws CheckpointException if it is missing or of another length (another model or configuration)
     */
    public float[] requireArray(String name, int length) {
        float[] a = arrays.get(name);
        if (a == null) {
            throw new CheckpointException("checkpoint of iteration " + iteration + " has no '" + name
                    + "' array: it was written by another trainer or configuration");
        }
        if (a.length != length) {
            throw new CheckpointException("checkpoint array '" + name + "' has " + a.length + " floats, this run "
                    + "needs " + length + ": the checkpoint belongs to another model or configuration");
        }
        return a;
    }

    /**
     * Every metadata entry, in insertion order.
     *
     * @return a read-only view
     */
    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(meta);
    }

    /**
     * Every array, in insertion order.
     *
     * @return a read-only view (of the arrays themselves, not copies)
     */
    public Map<String, float[]> arrays() {
        return Collections.unmodifiableMap(arrays);
    }
}

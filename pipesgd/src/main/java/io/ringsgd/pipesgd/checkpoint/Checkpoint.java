package io.ringsgd.pipesgd.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The contents of one checkpoint file: the number of iterations completed, string metadata (configuration
 * fingerprint, trainer state) and named float arrays (parameters, optimizer state, residuals, in-flight gradients).
 * A plain container: trainers decide what goes in. Arrays are stored by reference.
 */
public final class Checkpoint {
    private final long iteration;
    private final Map<String, String> meta = new LinkedHashMap<>();
    private final Map<String, float[]> arrays = new LinkedHashMap<>();

    /** A checkpoint of the state after {@code iteration} completed iterations. */
    public Checkpoint(long iteration) {
        if (iteration < 0) {
            throw new IllegalArgumentException("iteration must be >= 0, got " + iteration);
        }
        this.iteration = iteration;
    }

    /** Iterations completed when the state was saved (the next one to run). */
    public long iteration() {
        return iteration;
    }

    public Checkpoint put(String key, String value) {
        meta.put(key, value);
        return this;
    }

    public Checkpoint put(String name, float[] array) {
        arrays.put(name, array);
        return this;
    }

    /** Metadata value, or null. */
    public String meta(String key) {
        return meta.get(key);
    }

    /** Metadata value; a missing key is a {@link CheckpointException}. */
    public String requireMeta(String key) {
        String v = meta.get(key);
        if (v == null) {
            throw new CheckpointException("checkpoint of iteration " + iteration + " has no '" + key
                    + "' entry: it was written by another trainer or version");
        }
        return v;
    }

    /** Array, or null. */
    public float[] array(String name) {
        return arrays.get(name);
    }

    /** Array of the given length; missing or different is a {@link CheckpointException}. */
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

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(meta);
    }

    public Map<String, float[]> arrays() {
        return Collections.unmodifiableMap(arrays);
    }
}

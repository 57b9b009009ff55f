package io.ringsgd.cocod;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.pipesgd.compress.ErrorFeedback;

/**
 * One rank's side of CoCoD-SGD's model averages: {@link #start} copies a model into a wire buffer and starts a
 * non-blocking AllReduce of it, {@link #complete} waits for it and makes the result the {@link #reference()}, the
 * latest average, which is bit-identical on every rank.
 *
 * <p>Uncompressed, the wire carries the model itself (AVG, or SUM of {@code share·model} when weighted). Compressed,
 * it carries the model's difference from the reference, {@code share·(model − reference)} plus the error-feedback
 * residual, and the new reference is {@code reference + result}: the difference is the local progress since the last
 * average, orders of magnitude smaller than the weights, so the codec's per-block scale (max |x| / 127 for int8) is
 * small too and the quantization error is small against the update; raw weights would be quantized with a step set
 * by the largest weight of the block, which swamps the progress of a round. Since every rank holds the same
 * reference, adding the (bit-identical) result keeps the ranks identical.
 *
 * <p>Not thread-safe; the wire buffer must not be touched while an average is in flight, which this class ensures.
 */
final class ModelAverage {
    private final Communicator comm;
    private final int n;
    private final CollectiveOptions options;
    private final ReduceOp op;
    private final boolean weighted;
    private final float share;
    private final ErrorFeedback feedback;
    private float[] wire;
    private ElementBuffer wireView;
    private float[] reference;
    private ElementBuffer referenceView;
    private Request pending;

    /**
     * Averages over {@code comm} of models shaped like {@code initial}, which must be identical on every rank (it is
     * the first reference). {@code share} is this rank's weight w_i / Σw, or NaN for the plain average.
     */
    ModelAverage(Communicator comm, float[] initial, Compression compression, double share) {
        this.comm = comm;
        this.n = initial.length;
        this.weighted = !Double.isNaN(share);
        this.share = (float) share;
        this.op = weighted ? ReduceOp.SUM : ReduceOp.AVG;
        this.options = compression == Compression.NONE ? CollectiveOptions.DEFAULT
                : CollectiveOptions.compressed(compression);
        this.feedback = compression == Compression.NONE ? null : new ErrorFeedback(compression, n);
        this.wire = new float[n];
        this.wireView = ElementBuffer.of(wire);
        this.reference = initial.clone();
        this.referenceView = ElementBuffer.of(reference);
    }

    /** Starts the average of {@code model} (copied: the caller may change it right away). */
    void start(float[] model) {
        if (pending != null) {
            throw new IllegalStateException("a model average is already in flight: complete it first");
        }
        float[] w = wire;
        if (feedback == null) {
            if (weighted) {
                float a = share;
                for (int i = 0; i < n; i++) {
                    w[i] = a * model[i];
                }
            } else {
                System.arraycopy(model, 0, w, 0, n);
            }
        } else {
            float[] ref = reference;
            if (weighted) {
                float a = share;
                for (int i = 0; i < n; i++) {
                    w[i] = a * (model[i] - ref[i]);
                }
            } else {
                for (int i = 0; i < n; i++) {
                    w[i] = model[i] - ref[i];
                }
            }
            feedback.compensate(w);
        }
        pending = comm.iallreduce(null, wireView, op, options);
    }

    /** True while an average is in flight. */
    boolean inFlight() {
        return pending != null;
    }

    /**
     * Waits for the average in flight, if any, and makes it the reference; returns the nanoseconds spent blocked in
     * {@link Request#await()} (0 if nothing was in flight).
     */
    long complete() {
        Request r = pending;
        if (r == null) {
            return 0;
        }
        long t0 = System.nanoTime();
        r.await();
        long waited = System.nanoTime() - t0;
        pending = null;
        if (feedback == null) {
            float[] a = reference;
            ElementBuffer av = referenceView;
            reference = wire;
            referenceView = wireView;
            wire = a;
            wireView = av;
        } else {
            float[] ref = reference;
            float[] w = wire;
            for (int i = 0; i < n; i++) {
                ref[i] += w[i];
            }
        }
        return waited;
    }

    /** The latest completed average, live and identical on every rank; checkpoints save it, resumes overwrite it. */
    float[] reference() {
        return reference;
    }

    /** The error-feedback residual (this rank's own state), live, or null without compression. */
    float[] residual() {
        return feedback == null ? null : feedback.residual();
    }
}

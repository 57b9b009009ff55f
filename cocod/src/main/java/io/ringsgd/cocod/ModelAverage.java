package io.ringsgd.cocod;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.compute.ComputeBackend;
import io.ringsgd.pipesgd.compute.InFlight;
import io.ringsgd.pipesgd.compute.ModelVector;

/**
 * One rank's side of CoCoD-SGD's model averages: {@link #start} copies a model into a wire vector and starts a
 * non-blocking AllReduce of it, {@link #complete} waits for it and makes the result the {@link #reference()}, the
 * latest average, which is bit-identical on every rank. The vectors live in the session's {@link ComputeBackend}
 * (host arrays, or device memory with the device AllReduce), and the arithmetic is the backend's, which rounds as the
 * Java loops do, so the CPU and device paths fold the averages identically.
 *
 * <p>Uncompressed, the wire carries the model itself (AVG, or SUM of {@code share·model} when weighted). Compressed,
 * it carries the model's difference from the reference, {@code share·(model − reference)} plus the error-feedback
 * residual, and the new reference is {@code reference + result}: the difference is the local progress since the last
 * average, orders of magnitude smaller than the weights, so the codec's per-block scale (max |x| / 127 for int8) is
 * small too and the quantization error is small against the update; raw weights would be quantized with a step set
 * by the largest weight of the block, which swamps the progress of a round. Since every rank holds the same
 * reference, adding the (bit-identical) result keeps the ranks identical.
 *
 * <p>Not thread-safe; the wire vector must not be touched while an average is in flight, which this class ensures.
 */
final class ModelAverage {
    private final Communicator comm;
    private final ComputeBackend backend;
    private final CollectiveOptions options;
    private final ReduceOp op;
    private final boolean weighted;
    private final float share;
    private final ErrorFeedback feedback;
    private ModelVector wire;
    private ModelVector reference;
    private InFlight pending;

    /**
     * Averages over {@code comm} of models in {@code backend}, starting from {@code initial}, which must be identical
     * on every rank (it is the first reference), with the AllReduce options {@code compressed} (the run's compression
     * and ternary threshold, no sink: error feedback adds its own). {@code share} is this rank's weight w_i / Σw, or
     * NaN for the plain average.
     */
    ModelAverage(Communicator comm, ComputeBackend backend, ModelVector initial, CollectiveOptions compressed,
            double share) {
        this.comm = comm;
        this.backend = backend;
        this.weighted = !Double.isNaN(share);
        this.share = (float) share;
        this.op = weighted ? ReduceOp.SUM : ReduceOp.AVG;
        this.options = compressed;
        this.feedback = compressed.compression() == Compression.NONE ? null
                : new ErrorFeedback(options, backend.length(), 1);
        this.wire = backend.newVector();
        this.reference = backend.newVector();
        backend.copy(initial, reference);
    }

    /** Starts the average of {@code model} (copied: the caller may change it right away). */
    void start(ModelVector model) {
        start(model, op, weighted ? share : Float.NaN);
    }

    /**
     * Starts a weighted average of {@code model} in which this rank's weight is {@code share} (the shares of all ranks
     * must add up to 1); for weights that change from one average to the next, as Elastic BSP's samples per round.
     */
    void startWeighted(ModelVector model, double share) {
        start(model, ReduceOp.SUM, (float) share);
    }

    private void start(ModelVector model, ReduceOp reduce, float scale) {
        if (pending != null) {
            throw new IllegalStateException("a model average is already in flight: complete it first");
        }
        backend.copy(model, wire);
        if (feedback != null) {
            // model − reference, as model + (−1·reference): the same bits.
            backend.axpy(-1f, reference, wire);
        }
        if (!Float.isNaN(scale)) {
            backend.scale(wire, scale);
        }
        pending = backend.iallreduce(comm, wire, reduce, options, feedback == null ? null : feedback.slot(0));
    }

    /** True while an average is in flight. */
    boolean inFlight() {
        return pending != null;
    }

    /**
     * Waits for the average in flight, if any, and makes it the reference; returns the nanoseconds spent blocked in
     * {@link InFlight#await()} (0 if nothing was in flight).
     */
    long complete() {
        InFlight r = pending;
        if (r == null) {
            return 0;
        }
        long t0 = System.nanoTime();
        r.await();
        long waited = System.nanoTime() - t0;
        pending = null;
        if (feedback == null) {
            ModelVector a = reference;
            reference = wire;
            wire = a;
        } else {
            backend.axpy(1f, wire, reference);
        }
        return waited;
    }

    /** The latest completed average, live and identical on every rank; checkpoints save it, resumes overwrite it. */
    ModelVector reference() {
        return reference;
    }

    /** The error-feedback residual (this rank's own state, on the host), live, or null without compression. */
    float[] residual() {
        return feedback == null ? null : feedback.slot(0).residual();
    }
}

package io.ringsgd.pipesgd.compress;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import java.util.Arrays;

/**
 * Error-compensated compression of one worker's contributions (as in error-compensated quantized SGD, Wu et al.,
 * ICML 2018): before a vector g is sent, {@link #compensate} replaces it by s = g + e and keeps the new residual
 * e = s − Q(s), where Q is the codec's round trip (what the receivers see of s). What one step's quantization drops is
 * thus sent at later steps instead of being lost. The residual is per worker state and belongs in checkpoints.
 *
 * <p>The compressed ring re-quantizes partial sums at every hop and cuts the vector into chunks whose int8 blocks need
 * not align with the whole vector's, so Q(s) models what happens to this worker's contribution, not the exact bits
 * of the result; the residual still bounds the accumulated error.
 */
public final class ErrorFeedback {
    private final Codec codec;
    private final Compression compression;
    private final float[] residual;
    private final float[] roundTrip;

    /** Error feedback for vectors of {@code n} floats compressed with {@code compression} (not NONE). */
    public ErrorFeedback(Compression compression, int n) {
        if (compression == Compression.NONE) {
            throw new IllegalArgumentException("error feedback needs a lossy compression (fp16 or int8), got none");
        }
        this.codec = Codecs.of(compression);
        this.compression = compression;
        this.residual = new float[n];
        this.roundTrip = new float[n];
    }

    /** {@code v := v + e; e := v − Q(v)} on all of {@code v} (length n). No allocation. */
    public void compensate(float[] v) {
        int n = residual.length;
        if (v.length != n) {
            throw new IllegalArgumentException("vector has " + v.length + " floats, error feedback was made for " + n);
        }
        float[] e = residual;
        for (int i = 0; i < n; i++) {
            v[i] += e[i];
        }
        codec.roundTrip(v, 0, n, roundTrip, 0);
        for (int i = 0; i < n; i++) {
            e[i] = v[i] - roundTrip[i];
        }
    }

    /** The residual, live: checkpoints save it and resumes overwrite it. */
    public float[] residual() {
        return residual;
    }

    public Compression compression() {
        return compression;
    }

    /** Forgets the residual. */
    public void reset() {
        Arrays.fill(residual, 0f);
    }
}

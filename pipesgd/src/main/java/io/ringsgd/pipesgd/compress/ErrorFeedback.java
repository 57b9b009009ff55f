package io.ringsgd.pipesgd.compress;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import java.util.Arrays;

/**
 * Error-compensated compression of one worker's contributions (as in error-compensated quantized SGD, Wu et al.,
 * ICML 2018): what a compressed AllReduce drops is sent with a later contribution instead of being lost.
 *
 * <p>The compressed ring re-quantizes partial sums at every hop, so what the result lacks is not any one worker's
 * quantization error: it is the sum of the errors of every encoding on every rank. The collective reports each rank's
 * share exactly ({@link CollectiveOptions#withQuantizationError}): summed over the ranks, the residuals are the exact
 * sum minus the result. {@link Slot#compensate} adds a slot's residual to the next vector sent from that slot and
 * hands the collective the emptied residual to refill, so nothing is lost, only delayed.
 *
 * <p>There is one residual per slot: a pipeline of width K keeps K AllReduces in flight, each refilling its own slot's
 * residual while it runs, and a slot is compensated only after its previous AllReduce has completed, so the compute
 * thread never reads a residual the collective is writing. The error of step t reaches the model at step t + K. The
 * residuals are per worker state and belong in checkpoints ({@link #state}, {@link #restore}).
 */
public final class ErrorFeedback {
    private final Compression compression;
    private final int n;
    private final Slot[] slots;

    /** Error feedback for K = {@code slots} AllReduces of {@code n} floats with {@code options} (lossy compression). */
    public ErrorFeedback(CollectiveOptions options, int n, int slots) {
        if (options.compression() == Compression.NONE) {
            throw new IllegalArgumentException("error feedback needs a lossy compression (fp16 or int8), got none");
        }
        if (slots < 1) {
            throw new IllegalArgumentException("error feedback needs at least one slot, got " + slots);
        }
        this.compression = options.compression();
        this.n = n;
        this.slots = new Slot[slots];
        for (int j = 0; j < slots; j++) {
            this.slots[j] = new Slot(options, n);
        }
    }

    /** The residual and AllReduce options of pipeline slot {@code j}. */
    public Slot slot(int j) {
        return slots[j];
    }

    /**
     * Pipeline slots, each with its own residual.
     *
     * @return the width K
     */
    public int slots() {
        return slots.length;
    }

    /**
     * The compression whose error this feeds back.
     *
     * @return the compression
     */
    public Compression compression() {
        return compression;
    }

    /** All slots' residuals, slot after slot (K·n floats), for a checkpoint: call with no AllReduce in flight. */
    public float[] state() {
        float[] out = new float[slots.length * n];
        for (int j = 0; j < slots.length; j++) {
            System.arraycopy(slots[j].residual, 0, out, j * n, n);
        }
        return out;
    }

    /** Overwrites every slot's residual with {@link #state()}'s layout. */
    public void restore(float[] state) {
        if (state.length != slots.length * n) {
            throw new IllegalArgumentException("error-feedback state has " + state.length + " floats, expected "
                    + slots.length + " slots of " + n);
        }
        for (int j = 0; j < slots.length; j++) {
            System.arraycopy(state, j * n, slots[j].residual, 0, n);
        }
    }

    /** Forgets every residual. */
    public void reset() {
        for (Slot s : slots) {
            Arrays.fill(s.residual, 0f);
        }
    }

    /** One slot: its residual and the options that make its AllReduce refill it. */
    public static final class Slot {
        private final float[] residual;
        private final CollectiveOptions options;

        private Slot(CollectiveOptions base, int n) {
            this.residual = new float[n];
            this.options = base.withQuantizationError(residual);
        }

        /**
         * {@code v := v + e; e := 0}, and the options to start v's AllReduce with: it adds into e what its encodings
         * on this rank drop. Call only when this slot's previous AllReduce has completed. No allocation.
         */
        public CollectiveOptions compensate(float[] v) {
            int n = residual.length;
            if (v.length != n) {
                throw new IllegalArgumentException("vector has " + v.length + " floats, error feedback was made for "
                        + n);
            }
            float[] e = residual;
            for (int i = 0; i < n; i++) {
                v[i] += e[i];
                e[i] = 0f;
            }
            return options;
        }

        /**
         * As {@link #compensate(float[])} for an AllReduce the caller asked for with {@code requested}: its
         * compression must be this slot's (the sink is only meaningful for it).
         */
        public CollectiveOptions compensate(float[] v, CollectiveOptions requested) {
            if (requested.compression() != options.compression()) {
                throw new IllegalArgumentException("error feedback was made for " + options.compression().cliName()
                        + " but the AllReduce asks for " + requested.compression().cliName());
            }
            return compensate(v);
        }

        /** The residual, live (what this slot's last AllReduce dropped on this rank, not yet sent again). */
        public float[] residual() {
            return residual;
        }
    }
}

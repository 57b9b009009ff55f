package io.ringsgd.collectives;

import io.ringsgd.collectives.codec.SparseTernaryCodec;

/**
 * Per-call options (Gloo style): the algorithm to force, the pipeline segment size, compression, and where a compressed
 * AllReduce reports what quantization dropped. Immutable and thread-safe (the sink array it names is not); build once
 * and reuse. {@link #DEFAULT} lets the communicator decide everything.
 */
public final class CollectiveOptions {
    /** Algorithm chosen by the table, the communicator's segment size, no compression. */
    public static final CollectiveOptions DEFAULT = new CollectiveOptions(Algorithm.AUTO, 0, Compression.NONE, null, 0,
            SparseTernaryCodec.DEFAULT_THRESHOLD);

    private final Algorithm algorithm;
    private final int segmentBytes;
    private final Compression compression;
    private final float[] quantizationError;
    private final int bcubeBase;
    private final float ternaryThreshold;

    private CollectiveOptions(Algorithm algorithm, int segmentBytes, Compression compression,
            float[] quantizationError, int bcubeBase, float ternaryThreshold) {
        this.ternaryThreshold = ternaryThreshold;
        this.bcubeBase = bcubeBase;
        this.algorithm = algorithm;
        this.segmentBytes = segmentBytes;
        this.compression = compression;
        this.quantizationError = quantizationError;
    }

    /** Default options with {@code algorithm} forced. */
    public static CollectiveOptions algorithm(Algorithm algorithm) {
        return DEFAULT.withAlgorithm(algorithm);
    }

    /** Default options with AllReduce traffic compressed. */
    public static CollectiveOptions compressed(Compression compression) {
        return DEFAULT.withCompression(compression);
    }

    /** The algorithm to run; AUTO lets the selection table choose. */
    public Algorithm algorithm() {
        return algorithm;
    }

    /** Segment size in bytes for pipelined algorithms; 0 = the communicator's. */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** The compression of AllReduce traffic (NONE, FP16, INT8, TWO_BIT, ONE_BIT, TERNARY). */
    public Compression compression() {
        return compression;
    }

    /**
     * These options with algorithm {@code a}. Whether the collective (and the transport) has it is checked at the
     * call: an algorithm it lacks throws IllegalArgumentException there, before anything is sent.
     *
     * @throws IllegalArgumentException if {@code a} is null
     */
    public CollectiveOptions withAlgorithm(Algorithm a) {
        if (a == null) {
            throw new IllegalArgumentException("algorithm is null: use Algorithm.AUTO to let the table choose");
        }
        return new CollectiveOptions(a, segmentBytes, compression, quantizationError, bcubeBase, ternaryThreshold);
    }

    /** Options with segments of {@code bytes} (at least 1 KiB, at most 64 MiB). */
    public CollectiveOptions withSegmentBytes(int bytes) {
        if (bytes != 0 && (bytes < 1024 || bytes > (64 << 20))) {
            throw new IllegalArgumentException("segment size must be between 1k and 64m bytes, got " + bytes);
        }
        return new CollectiveOptions(algorithm, bytes, compression, quantizationError, bcubeBase, ternaryThreshold);
    }

    /**
     * These options with AllReduce traffic compressed by {@code c} (float SUM and AVG only): fp16 and int8 take the
     * compressed ring, 2bit, 1bit and ternary the encoded all-gather ({@link Compression#gathersEncodings()}).
     *
     * @throws IllegalArgumentException if {@code c} is null
     */
    public CollectiveOptions withCompression(Compression c) {
        if (c == null) {
            throw new IllegalArgumentException("compression is null: use Compression.NONE");
        }
        return new CollectiveOptions(algorithm, segmentBytes, c, quantizationError, bcubeBase, ternaryThreshold);
    }

    /**
     * Options whose compressed AllReduce adds into {@code sink[i]} what this rank's encodings dropped of element i
     * (x − decode(encode(x)) for every partial sum it encoded), so that the sinks of all ranks add up to the exact sum
     * minus the result (before AVG's division). Error feedback adds a rank's sink to its next contribution and zeroes
     * it: nothing quantization drops is lost, only delayed. The sink must hold at least the vector's count, belongs to
     * the collective until it completes, and is not touched without compression. Pass null for none.
     */
    public CollectiveOptions withQuantizationError(float[] sink) {
        return new CollectiveOptions(algorithm, segmentBytes, compression, sink, bcubeBase, ternaryThreshold);
    }

    /** The sink of {@link #withQuantizationError}, or null. */
    public float[] quantizationError() {
        return quantizationError;
    }

    /**
     * These options with the base n of the bcube AllReduce ({@link Algorithm#BCUBE}): the group must have n^(k+1)
     * ranks, which is checked at the call. 0 takes the communicator's ({@code ringsgd.bcube.n}, by default the
     * smallest n ≥ 2 that fits).
     *
     * @throws IllegalArgumentException if {@code n} is neither 0 nor at least 2
     */
    public CollectiveOptions withBcubeBase(int n) {
        if (n != 0 && n < 2) {
            throw new IllegalArgumentException("bcube base n must be 0 (the communicator's) or at least 2, got " + n);
        }
        return new CollectiveOptions(algorithm, segmentBytes, compression, quantizationError, n, ternaryThreshold);
    }

    /** The bcube base of {@link #withBcubeBase}, 0 for the communicator's. */
    public int bcubeBase() {
        return bcubeBase;
    }

    /**
     * These options with the threshold λ of the {@link Compression#TERNARY} format: elements whose magnitude exceeds
     * λ times the mean magnitude of their bucket of 512 are sent, the others left to error feedback. Larger λ sends
     * fewer elements and fewer bytes (λ = 2.5, the default, sends about 5 % of normally distributed values). Only
     * the sender reads it, so ranks may differ.
     *
     * @throws IllegalArgumentException unless λ is finite and at least 0
     */
    public CollectiveOptions withTernaryThreshold(float lambda) {
        return new CollectiveOptions(algorithm, segmentBytes, compression, quantizationError, bcubeBase,
                SparseTernaryCodec.checkThreshold(lambda));
    }

    /** The threshold λ of {@link #withTernaryThreshold}. */
    public float ternaryThreshold() {
        return ternaryThreshold;
    }

    @Override
    public String toString() {
        return "algorithm=" + algorithm.cliName() + " segment=" + segmentBytes + " compression="
                + compression.cliName();
    }
}

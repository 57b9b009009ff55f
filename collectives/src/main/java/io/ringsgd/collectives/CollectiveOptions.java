package io.ringsgd.collectives;

/**
 * Per-call options (Gloo style): the algorithm to force, the pipeline segment size, and compression. Immutable; build
 * once and reuse. {@link #DEFAULT} lets the communicator decide everything.
 */
public final class CollectiveOptions {
    /** Algorithm chosen by the table, the communicator's segment size, no compression. */
    public static final CollectiveOptions DEFAULT = new CollectiveOptions(Algorithm.AUTO, 0, Compression.NONE);

    private final Algorithm algorithm;
    private final int segmentBytes;
    private final Compression compression;

    private CollectiveOptions(Algorithm algorithm, int segmentBytes, Compression compression) {
        this.algorithm = algorithm;
        this.segmentBytes = segmentBytes;
        this.compression = compression;
    }

    /** Default options with {@code algorithm} forced. */
    public static CollectiveOptions algorithm(Algorithm algorithm) {
        return DEFAULT.withAlgorithm(algorithm);
    }

    /** Default options with AllReduce traffic compressed. */
    public static CollectiveOptions compressed(Compression compression) {
        return DEFAULT.withCompression(compression);
    }

    public Algorithm algorithm() {
        return algorithm;
    }

    /** Segment size in bytes for pipelined algorithms; 0 = the communicator's. */
    public int segmentBytes() {
        return segmentBytes;
    }

    public Compression compression() {
        return compression;
    }

    public CollectiveOptions withAlgorithm(Algorithm a) {
        if (a == null) {
            throw new IllegalArgumentException("algorithm is null: use Algorithm.AUTO to let the table choose");
        }
        return new CollectiveOptions(a, segmentBytes, compression);
    }

    /** Options with segments of {@code bytes} (at least 1 KiB, at most 64 MiB). */
    public CollectiveOptions withSegmentBytes(int bytes) {
        if (bytes != 0 && (bytes < 1024 || bytes > (64 << 20))) {
            throw new IllegalArgumentException("segment size must be between 1k and 64m bytes, got " + bytes);
        }
        return new CollectiveOptions(algorithm, bytes, compression);
    }

    public CollectiveOptions withCompression(Compression c) {
        if (c == null) {
            throw new IllegalArgumentException("compression is null: use Compression.NONE");
        }
        return new CollectiveOptions(algorithm, segmentBytes, c);
    }

    @Override
    public String toString() {
        return "algorithm=" + algorithm.cliName() + " segment=" + segmentBytes + " compression="
                + compression.cliName();
    }
}

package io.ringsgd.collectives.algorithm;

/**
 * How every ring collective cuts a vector: {@code count} elements into P chunks whose sizes differ by at most one
 * (chunk c ends up owned by rank c), and each chunk into the same number of segments. Shared by the host ring, the
 * compressed ring and the device ring so that all of them agree on message sizes.
 */
public final class RingLayout {
    private RingLayout() {
    }

    /** Start of chunk {@code c} of {@code count} elements split into {@code p} chunks ({@code c = p}: the end). */
    public static int chunkStart(int count, int p, int c) {
        return c * (count / p) + Math.min(c, count % p);
    }

    /** Length of chunk {@code c}. */
    public static int chunkLength(int count, int p, int c) {
        return count / p + (c < count % p ? 1 : 0);
    }

    /** Start of segment {@code seg} (0..segments; {@code segments} is the chunk's end) of chunk {@code c}. */
    public static int segmentStart(int count, int p, int c, int seg, int segments) {
        return chunkStart(count, p, c) + (int) ((long) chunkLength(count, p, c) * seg / segments);
    }

    /** Segments per chunk so that no segment exceeds {@code segmentBytes} (at least one). */
    public static int segments(int count, int p, int elementBytes, int segmentBytes) {
        long maxChunkBytes = (long) chunkLength(count, p, 0) * elementBytes;
        return (int) Math.max(1, (maxChunkBytes + segmentBytes - 1) / segmentBytes);
    }
}

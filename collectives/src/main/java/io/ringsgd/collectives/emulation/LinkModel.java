package io.ringsgd.collectives.emulation;

import io.ringsgd.collectives.Units;
import java.time.Duration;

/**
 * An emulated network link: every message is delivered {@link #latency()} after its last byte has left, and the
 * bytes leave a rank one message at a time at {@link #bytesPerSecond()} (one NIC per rank, as on a cluster node).
 */
public record LinkModel(Duration latency, double bytesPerSecond) {

    /**
     * A link of {@code latency} (≥ 0) and {@code bytesPerSecond} (positive, finite).
     *
     * @throws IllegalArgumentException if either is out of range
     */
    public LinkModel {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("latency must be >= 0, got " + latency);
        }
        if (!(bytesPerSecond > 0) || Double.isInfinite(bytesPerSecond)) {
            throw new IllegalArgumentException("bandwidth must be positive, got " + bytesPerSecond + " bytes/s");
        }
    }

    /** Parses "200us" and "1gbit" style strings. */
    public static LinkModel parse(String latency, String bandwidth) {
        return new LinkModel(Units.parseDuration(latency), Units.parseBandwidth(bandwidth));
    }

    /** Nanoseconds the link needs to carry {@code bytes}. */
    public long transferNanos(long bytes) {
        return (long) Math.ceil(bytes * 1e9 / bytesPerSecond);
    }

    @Override
    public String toString() {
        return Units.formatDuration(latency) + " latency, " + Units.formatBandwidth(bytesPerSecond);
    }
}

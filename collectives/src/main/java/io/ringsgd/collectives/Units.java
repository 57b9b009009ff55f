package io.ringsgd.collectives;

import java.time.Duration;
import java.util.Locale;

/**
 * Parsing and printing of the units used in options and output: byte sizes ("64k", "4m"), durations ("200us",
 * "30s") and bandwidths ("1gbit", "10gbit", "500mbit", "2GB/s"). Stateless and thread-safe; a string that does not
 * parse throws IllegalArgumentException saying what was expected.
 */
public final class Units {
    private Units() {
    }

    /** Parses a size such as "4m", "64k", "4MiB" or "1048576" (k = 1024). */
    public static long parseBytes(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.endsWith("ib")) {
            t = t.substring(0, t.length() - 2);
        } else if (t.endsWith("b")) {
            t = t.substring(0, t.length() - 1);
        }
        long mult = 1;
        char last = t.isEmpty() ? ' ' : t.charAt(t.length() - 1);
        if (last == 'k') {
            mult = 1L << 10;
        } else if (last == 'm') {
            mult = 1L << 20;
        } else if (last == 'g') {
            mult = 1L << 30;
        }
        if (mult != 1) {
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = Long.parseLong(t.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return Math.multiplyExact(v, mult);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException("'" + s + "' is not a byte size: use a number with an optional k, m"
                    + " or g suffix, e.g. 8, 64k, 4m");
        }
    }

    /** The shortest exact suffix form ("4m", "1536k", "8"). */
    public static String formatBytes(long bytes) {
        if (bytes != 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "g";
        }
        if (bytes != 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "m";
        }
        if (bytes != 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "k";
        }
        return Long.toString(bytes);
    }

    /** Parses "200us", "1.5ms", "30s", "2m", "1h" or a bare number of seconds. */
    public static Duration parseDuration(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        double scaleNanos;
        String num;
        if (t.endsWith("ns")) {
            scaleNanos = 1;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("us") || t.endsWith("µs")) {
            scaleNanos = 1e3;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("ms")) {
            scaleNanos = 1e6;
            num = t.substring(0, t.length() - 2);
        } else if (t.endsWith("s")) {
            scaleNanos = 1e9;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            scaleNanos = 60e9;
            num = t.substring(0, t.length() - 1);
        } else if (t.endsWith("h")) {
            scaleNanos = 3600e9;
            num = t.substring(0, t.length() - 1);
        } else {
            scaleNanos = 1e9;
            num = t;
        }
        try {
            double v = Double.parseDouble(num.trim());
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return Duration.ofNanos(Math.round(v * scaleNanos));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a duration: use a number with a unit, e.g. 200us,"
                    + " 5ms, 30s, 2m");
        }
    }

    /** Formats a duration compactly ("200us", "1.5ms", "30s"). */
    public static String formatDuration(Duration d) {
        long ns = d.toNanos();
        if (ns < 1_000) {
            return ns + "ns";
        }
        if (ns < 1_000_000) {
            return trim(ns / 1e3) + "us";
        }
        if (ns < 1_000_000_000) {
            return trim(ns / 1e6) + "ms";
        }
        return trim(ns / 1e9) + "s";
    }

    /**
     * Parses a bandwidth into bytes per second: "1gbit" / "1gbps" (bits, decimal: 10^9 bit/s), "500mbit",
     * "2GB/s" / "2gbyte" (bytes, decimal), or a bare number of bytes per second.
     */
    public static double parseBandwidth(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace(" ", "");
        boolean bits;
        String rest;
        if (t.endsWith("bit") || t.endsWith("bps") || t.endsWith("bit/s")) {
            bits = true;
            rest = t.replaceAll("(bit/s|bit|bps)$", "");
        } else if (t.endsWith("b/s") || t.endsWith("byte") || t.endsWith("bytes")) {
            bits = false;
            rest = t.replaceAll("(b/s|bytes|byte)$", "");
        } else {
            bits = false;
            rest = t;
        }
        double mult = 1;
        if (rest.endsWith("k")) {
            mult = 1e3;
        } else if (rest.endsWith("m")) {
            mult = 1e6;
        } else if (rest.endsWith("g")) {
            mult = 1e9;
        } else if (rest.endsWith("t")) {
            mult = 1e12;
        }
        if (mult != 1) {
            rest = rest.substring(0, rest.length() - 1);
        }
        try {
            double v = Double.parseDouble(rest) * mult / (bits ? 8 : 1);
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + s + "' is not a bandwidth: use e.g. 1gbit, 100mbit, 2GB/s");
        }
    }

    /** Formats bytes per second as bits per second ("1gbit", "250mbit"). */
    public static String formatBandwidth(double bytesPerSecond) {
        double bits = bytesPerSecond * 8;
        if (bits >= 1e9) {
            return trim(bits / 1e9) + "gbit";
        }
        if (bits >= 1e6) {
            return trim(bits / 1e6) + "mbit";
        }
        return trim(bits / 1e3) + "kbit";
    }

    private static String trim(double v) {
        String s = String.format(Locale.ROOT, "%.3f", v);
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }
}

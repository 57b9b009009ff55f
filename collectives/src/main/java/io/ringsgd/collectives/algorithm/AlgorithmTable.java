package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Units;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How {@link Algorithm#AUTO} is resolved, as a table like MPICH's collective selection: for each collective, rows of
 * (message bytes range, group size range) → algorithm; the first row that matches wins. The built-in rows are data,
 * in the resource {@code default-selection.table} next to this class, in the syntax of the {@code ringsgd.table}
 * property (e.g. {@code allreduce:0-16k=recursive-doubling,16k-=ring}), whose rows a job puts in front of them.
 * Every row names an algorithm the {@link AlgorithmRegistry} has for its collective.
 *
 * <p>Immutable and thread-safe.
 */
public final class AlgorithmTable {
    /** The resource holding the built-in rows, one per line; {@code #} starts a comment. */
    public static final String DEFAULT_RESOURCE = "default-selection.table";

    /** One row: collectives of {@code kind} moving [minBytes, maxBytes) on [minRanks, maxRanks] ranks use it. */
    public record Row(CollectiveKind kind, long minBytes, long maxBytes, int minRanks, int maxRanks,
            Algorithm algorithm) {
        boolean matches(CollectiveKind k, long bytes, int ranks) {
            return k == kind && bytes >= minBytes && bytes < maxBytes && ranks >= minRanks && ranks <= maxRanks;
        }
    }

    private static final long INF = Long.MAX_VALUE;
    private static final AlgorithmTable DEFAULTS = new AlgorithmTable(readDefaults());

    private final List<Row> rows;

    /**
     * A table of {@code rows}, tried in order.
     *
     * @throws IllegalArgumentException if a row names an algorithm its collective does not have
     */
    public AlgorithmTable(List<Row> rows) {
        for (Row r : rows) {
            AlgorithmRegistry.standard().require(r.kind(), r.algorithm(), null);
        }
        this.rows = List.copyOf(rows);
    }

    /** The built-in table (the rows of {@link #DEFAULT_RESOURCE}). */
    public static AlgorithmTable defaults() {
        return DEFAULTS;
    }

    private static List<Row> readDefaults() {
        try (InputStream in = AlgorithmTable.class.getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + DEFAULT_RESOURCE + " is missing from the"
                        + " ringsgd-collectives jar");
            }
            List<Row> rows = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                int hash = line.indexOf('#');
                String row = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!row.isEmpty()) {
                    rows.add(parseRow(row));
                }
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + DEFAULT_RESOURCE, e);
        }
    }

    /**
     * The default table with rows from {@code spec} put in front: {@code kind:lo-hi=algorithm[@minRanks-maxRanks]},
     * comma-separated, sizes with k/m/g suffixes, an empty bound meaning open.
     */
    public static AlgorithmTable withOverrides(String spec) {
        if (spec == null || spec.isBlank()) {
            return defaults();
        }
        List<Row> rows = new ArrayList<>();
        for (String item : spec.split(",")) {
            rows.add(parseRow(item.trim()));
        }
        rows.addAll(DEFAULTS.rows);
        return new AlgorithmTable(rows);
    }

    private static Row parseRow(String item) {
        try {
            int colon = item.indexOf(':');
            int eq = item.indexOf('=');
            CollectiveKind kind = parseKind(item.substring(0, colon));
            String[] range = item.substring(colon + 1, eq).split("-", -1);
            String rhs = item.substring(eq + 1);
            int minRanks = 1;
            int maxRanks = Integer.MAX_VALUE;
            int at = rhs.indexOf('@');
            if (at >= 0) {
                String[] rr = rhs.substring(at + 1).split("-", -1);
                minRanks = rr[0].isEmpty() ? 1 : Integer.parseInt(rr[0]);
                maxRanks = rr.length < 2 || rr[1].isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(rr[1]);
                rhs = rhs.substring(0, at);
            }
            long lo = range[0].isEmpty() ? 0 : Units.parseBytes(range[0]);
            long hi = range.length < 2 || range[1].isEmpty() ? INF : Units.parseBytes(range[1]);
            return new Row(kind, lo, hi, minRanks, maxRanks, Algorithm.parse(rhs));
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("bad algorithm table row '" + item + "': expected"
                    + " kind:lo-hi=algorithm[@minRanks-maxRanks], e.g. allreduce:0-16k=recursive-doubling ("
                    + e.getMessage() + ")", e);
        }
    }

    private static CollectiveKind parseKind(String s) {
        String k = s.trim().toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
        for (CollectiveKind c : CollectiveKind.values()) {
            if (c.label().toLowerCase(Locale.ROOT).equals(k)) {
                return c;
            }
        }
        throw new IllegalArgumentException("unknown collective '" + s + "'");
    }

    /** The algorithm for a collective of {@code kind} moving {@code bytes} on {@code ranks} ranks. */
    public Algorithm select(CollectiveKind kind, long bytes, int ranks) {
        for (Row r : rows) {
            if (r.matches(kind, bytes, ranks)) {
                return r.algorithm();
            }
        }
        throw new IllegalStateException("the algorithm table has no row for " + kind.label() + " of " + bytes
                + " bytes on " + ranks + " ranks");
    }

    /** The rows, in the order they are tried. */
    public List<Row> rows() {
        return rows;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "%-14s %10s - %-10s ranks %d-%s -> %s%n", r.kind().label(),
                    Units.formatBytes(r.minBytes()), r.maxBytes() == INF ? "" : Units.formatBytes(r.maxBytes()), r.minRanks(),
                    r.maxRanks() == Integer.MAX_VALUE ? "" : r.maxRanks(), r.algorithm().cliName()));
        }
        return sb.toString();
    }
}

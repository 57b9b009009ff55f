package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Units;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * How {@link Algorithm#AUTO} is resolved, as a table like MPICH's collective selection: for each collective, rows of
 * (message bytes range, group size range) → algorithm; the first row that matches wins. The defaults were set from
 * {@code ringsgd bench allreduce} sweeps on the in-JVM and TCP transports (see the README); a job can replace rows with
 * the system property {@code ringsgd.table}, e.g. {@code allreduce:0-16k=recursive-doubling,16k-=ring}.
 */
public final class AlgorithmTable {

    /** One row: collectives of {@code kind} moving [minBytes, maxBytes) on [minRanks, maxRanks] ranks use it. */
    public record Row(CollectiveKind kind, long minBytes, long maxBytes, int minRanks, int maxRanks,
            Algorithm algorithm) {
        boolean matches(CollectiveKind k, long bytes, int ranks) {
            return k == kind && bytes >= minBytes && bytes < maxBytes && ranks >= minRanks && ranks <= maxRanks;
        }
    }

    private static final long INF = Long.MAX_VALUE;
    private static final Map<CollectiveKind, Set<Algorithm>> SUPPORTED = new EnumMap<>(CollectiveKind.class);

    static {
        SUPPORTED.put(CollectiveKind.ALLREDUCE, EnumSet.of(Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
                Algorithm.RABENSEIFNER, Algorithm.TREE, Algorithm.NATIVE));
        SUPPORTED.put(CollectiveKind.BROADCAST, EnumSet.of(Algorithm.TREE, Algorithm.RING, Algorithm.NATIVE));
        SUPPORTED.put(CollectiveKind.REDUCE, EnumSet.of(Algorithm.TREE, Algorithm.RING, Algorithm.NATIVE));
        SUPPORTED.put(CollectiveKind.REDUCE_SCATTER, EnumSet.of(Algorithm.TREE, Algorithm.RING));
        SUPPORTED.put(CollectiveKind.ALLGATHER, EnumSet.of(Algorithm.RECURSIVE_DOUBLING, Algorithm.RING,
                Algorithm.NATIVE));
        SUPPORTED.put(CollectiveKind.BARRIER, EnumSet.of(Algorithm.RECURSIVE_DOUBLING, Algorithm.NATIVE));
    }

    private final List<Row> rows;

    public AlgorithmTable(List<Row> rows) {
        for (Row r : rows) {
            requireSupported(r.kind(), r.algorithm());
        }
        this.rows = List.copyOf(rows);
    }

    /** The built-in table. */
    public static AlgorithmTable defaults() {
        List<Row> rows = new ArrayList<>();
        rows.add(new Row(CollectiveKind.ALLREDUCE, 0, 16 << 10, 1, Integer.MAX_VALUE, Algorithm.RECURSIVE_DOUBLING));
        rows.add(new Row(CollectiveKind.ALLREDUCE, 16 << 10, 256 << 10, 1, Integer.MAX_VALUE,
                Algorithm.RABENSEIFNER));
        rows.add(new Row(CollectiveKind.ALLREDUCE, 256 << 10, INF, 1, Integer.MAX_VALUE, Algorithm.RING));
        rows.add(new Row(CollectiveKind.BROADCAST, 0, 64 << 10, 1, Integer.MAX_VALUE, Algorithm.TREE));
        rows.add(new Row(CollectiveKind.BROADCAST, 64 << 10, INF, 1, 2, Algorithm.TREE));
        rows.add(new Row(CollectiveKind.BROADCAST, 64 << 10, INF, 3, Integer.MAX_VALUE, Algorithm.RING));
        rows.add(new Row(CollectiveKind.REDUCE, 0, 64 << 10, 1, Integer.MAX_VALUE, Algorithm.TREE));
        rows.add(new Row(CollectiveKind.REDUCE, 64 << 10, INF, 1, Integer.MAX_VALUE, Algorithm.RING));
        rows.add(new Row(CollectiveKind.REDUCE_SCATTER, 0, 64 << 10, 1, Integer.MAX_VALUE, Algorithm.TREE));
        rows.add(new Row(CollectiveKind.REDUCE_SCATTER, 64 << 10, INF, 1, Integer.MAX_VALUE, Algorithm.RING));
        rows.add(new Row(CollectiveKind.ALLGATHER, 0, 64 << 10, 1, Integer.MAX_VALUE, Algorithm.RECURSIVE_DOUBLING));
        rows.add(new Row(CollectiveKind.ALLGATHER, 64 << 10, INF, 1, Integer.MAX_VALUE, Algorithm.RING));
        rows.add(new Row(CollectiveKind.BARRIER, 0, INF, 1, Integer.MAX_VALUE, Algorithm.RECURSIVE_DOUBLING));
        return new AlgorithmTable(rows);
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
        rows.addAll(defaults().rows);
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

    /** Throws IllegalArgumentException if {@code kind} has no implementation of {@code a}. */
    public static void requireSupported(CollectiveKind kind, Algorithm a) {
        if (a == Algorithm.AUTO) {
            return;
        }
        Set<Algorithm> ok = SUPPORTED.get(kind);
        if (ok == null || !ok.contains(a)) {
            StringBuilder names = new StringBuilder("auto");
            if (ok != null) {
                for (Algorithm x : ok) {
                    names.append(", ").append(x.cliName());
                }
            }
            throw new IllegalArgumentException(kind.label() + " has no " + a.cliName() + " algorithm: use one of "
                    + names);
        }
    }

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

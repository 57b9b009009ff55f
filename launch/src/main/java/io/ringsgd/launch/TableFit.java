package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Turns a {@code bench allreduce} sweep into rows of the algorithm table ({@code ringsgd.table}): for each measured
 * size the algorithm with the lowest median, the boundary between two measured sizes at their geometric mean,
 * neighbouring sizes with the same winner merged, every row limited to the group size measured. A cluster's own
 * table, loaded with {@code ringsgd.table=@FILE}, then makes {@code auto} pick what was fastest there.
 */
final class TableFit {
    private TableFit() {
    }

    /** The table file's text: a comment saying what was measured, then one row per line. */
    static String table(List<AllreduceBench.Result> results, String when) {
        Map<Long, List<AllreduceBench.Result>> bySize = new TreeMap<>();
        for (AllreduceBench.Result r : results) {
            if (isAlgorithm(r.algorithm())) {
                bySize.computeIfAbsent(r.bytes(), b -> new ArrayList<>()).add(r);
            }
        }
        if (bySize.isEmpty()) {
            throw new IllegalArgumentException("--save-table needs measurements of named algorithms (ring,"
                    + " recursive-doubling, rabenseifner, tree): add them to --algorithm, e.g. --algorithm all");
        }
        AllreduceBench.Result any = results.get(0);
        int p = any.np();
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "# ringsgd algorithm table: fitted by 'ringsgd bench allreduce"
                + " --save-table' on %d ranks over %s, %s%n# load it with -Dringsgd.table=@FILE or"
                + " RINGSGD_TABLE=@FILE; median per operation (us) of each algorithm, fastest last:%n", p,
                any.transport(), when));
        List<Long> sizes = new ArrayList<>(bySize.keySet());
        List<String> winners = new ArrayList<>();
        for (long b : sizes) {
            List<AllreduceBench.Result> rs = bySize.get(b);
            AllreduceBench.Result best = rs.stream().min(Comparator.comparingDouble(AllreduceBench.Result::medianUs))
                    .orElseThrow();
            winners.add(best.algorithm());
            sb.append(String.format(Locale.ROOT, "#   %d bytes: %s -> %s%n", b, rs.stream()
                    .map(r -> String.format(Locale.ROOT, "%s %.1f", r.algorithm(), r.medianUs()))
                    .collect(Collectors.joining(", ")), best.algorithm()));
        }
        long lo = 0;
        for (int i = 0; i < sizes.size(); i++) {
            boolean last = i == sizes.size() - 1;
            if (!last && winners.get(i + 1).equals(winners.get(i))) {
                continue;
            }
            String hi = last ? "" : Long.toString(Math.round(Math.sqrt((double) sizes.get(i) * sizes.get(i + 1))));
            sb.append(String.format(Locale.ROOT, "allreduce:%d-%s=%s@%d-%d%n", lo, hi, winners.get(i), p, p));
            if (!last) {
                lo = Long.parseLong(hi);
            }
        }
        return sb.toString();
    }

    private static boolean isAlgorithm(String name) {
        try {
            Algorithm a = Algorithm.parse(name);
            return a != Algorithm.AUTO && a != Algorithm.NATIVE;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}

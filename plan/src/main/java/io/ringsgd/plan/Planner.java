package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.cost.CostModel;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Enumerates the ways to train that {@link IterationModel} predicts: every registered trainer's
 * {@linkplain TrainerCostModel#candidates candidates} (sync and Pipe-SGD of widths 1 to 4, CoCoD-SGD with τ = 1, 2,
 * 4, 8, ...), each with every compression the cost model has codec times for and every AllReduce algorithm asked for
 * (a compressed AllReduce is the ring), plus the references (the parameter server); predicts each one's iteration time
 * and speedup over the baseline (synchronous SGD with the communicator's default algorithm), and recommends one.
 *
 * <p>The recommendation is the fastest prediction, except that among predictions within {@value #TIE} of the fastest it
 * prefers the one that changes training least: the trainer's {@linkplain TrainerCostModel#caution caution} first
 * (synchronous before Pipe-SGD before CoCoD-SGD), then smaller width or τ (less staleness), no compression before fp16
 * before int8 (less quantization noise). References are never recommended.
 */
public final class Planner {
    /** Relative margin within which a less aggressive configuration is preferred. */
    public static final double TIE = 0.03;

    /** One predicted configuration and its speedup over the baseline. */
    public record Row(Prediction prediction, double speedup) {
    }

    /** The plan: every row (fastest first), the baseline, the recommendation. */
    public record Plan(List<Row> rows, Prediction baseline, Row recommended, IterationModel model) {
        public Plan {
            rows = List.copyOf(rows);
        }

        /** The table: one line per row, the recommended one marked with '*'. */
        public String table() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "  %-6s %3s %4s %-6s %-19s %10s %10s %10s %10s %8s %-7s%n",
                    "trainer", "K", "tau", "comp", "algorithm", "iter_ms", "compute_ms", "allred_ms", "exposed_ms",
                    "speedup", "bound"));
            for (Row r : rows) {
                Prediction p = r.prediction();
                TrainerSpec s = p.spec();
                boolean ref = TrainerCostModels.of(s.trainer()).reference();
                sb.append(String.format(Locale.ROOT, "%s %-6s %3s %4s %-6s %-19s %10.3f %10.3f %10.3f %10.3f %7.2fx"
                        + " %-7s%n", r == recommended ? "*" : " ", s.trainer(), s.width() > 0 ? s.width() : "-",
                        s.localSteps() > 0 ? s.localSteps() : "-",
                        ref ? "-" : s.compression().cliName(), ref ? "-" : algorithmLabel(p),
                        p.iterationMillis(), p.computeSeconds() * 1e3, p.allreduceSeconds() * 1e3,
                        p.exposedSeconds() * 1e3, r.speedup(), p.communicationBound() ? "comm" : "compute"));
            }
            return sb.toString();
        }

        /** The rows as a JSON array of objects. */
        public String rowsJson() {
            StringBuilder sb = new StringBuilder("[");
            for (int i = 0; i < rows.size(); i++) {
                sb.append(i == 0 ? "" : ",").append(rowJson(rows.get(i)));
            }
            return sb.append(']').toString();
        }

        /** One row as a JSON object; a setting the trainer does not have shows as 1. */
        public String rowJson(Row r) {
            Prediction p = r.prediction();
            TrainerSpec s = p.spec();
            return String.format(Locale.ROOT, "{\"trainer\":\"%s\",\"width\":%d,\"local_steps\":%d,"
                    + "\"compression\":\"%s\",\"algorithm\":\"%s\",\"runs_algorithm\":\"%s\","
                    + "\"predicted_iteration_ms\":%.4f,\"compute_ms\":%.4f,\"allreduce_ms\":%.4f,\"exposed_ms\":%.4f,"
                    + "\"speedup\":%.4f,\"recommended\":%s}", s.trainer(), Math.max(1, s.width()),
                    Math.max(1, s.localSteps()),
                    s.compression().cliName(), s.algorithm().cliName(), p.algorithm().cliName(), p.iterationMillis(),
                    p.computeSeconds() * 1e3, p.allreduceSeconds() * 1e3, p.exposedSeconds() * 1e3, r.speedup(),
                    r == recommended);
        }

        /** "pipe K=2 none auto (ring): 8.1 ms/iteration, 1.9x over sync". */
        public String recommendation() {
            Prediction p = recommended.prediction();
            return String.format(Locale.ROOT, "%s (runs %s): %.3f ms/iteration, %.2fx over sync with %s", p.spec()
                    .label(), p.algorithm().cliName(), p.iterationMillis(), recommended.speedup(),
                    baseline.algorithm().cliName());
        }

        private static String algorithmLabel(Prediction p) {
            Algorithm asked = p.spec().algorithm();
            return asked == p.algorithm() ? asked.cliName() : asked.cliName() + "(" + p.algorithm().cliName() + ")";
        }
    }

    private Planner() {
    }

    /**
     * Plans with {@code algorithms} (AUTO means the communicator's table; an empty list means all four algorithms).
     */
    public static Plan plan(IterationModel model, List<Algorithm> algorithms) {
        if (model == null) {
            throw new IllegalArgumentException("model is null: build an IterationModel first");
        }
        List<Algorithm> algs = algorithms == null || algorithms.isEmpty() ? CostModel.ALGORITHMS : algorithms;
        List<Compression> compressions = new ArrayList<>();
        for (Compression c : Compression.values()) {
            if (model.cost().knowsCodec(c)) {
                compressions.add(c);
            }
        }
        // Trainers in the order of the table before sorting: the most cautious first.
        List<TrainerCostModel> byCaution = new ArrayList<>(TrainerCostModels.all());
        byCaution.sort(Comparator.comparingInt(TrainerCostModel::caution));
        List<TrainerSpec> specs = new ArrayList<>();
        for (Compression c : compressions) {
            List<Algorithm> forC = c == Compression.NONE ? algs : List.of(algs.contains(Algorithm.AUTO)
                    && !algs.contains(Algorithm.RING) ? Algorithm.AUTO : Algorithm.RING);
            for (Algorithm a : forC) {
                for (TrainerCostModel m : byCaution) {
                    specs.addAll(m.candidates(c, a));
                }
            }
        }
        for (TrainerCostModel m : byCaution) {
            if (m.reference()) {
                specs.add(m.spec(null, Compression.NONE, Algorithm.AUTO));
            }
        }
        Prediction baseline = model.predict(TrainerCostModels.baseline().spec(null, Compression.NONE,
                Algorithm.AUTO));
        List<Row> rows = new ArrayList<>();
        for (TrainerSpec s : specs) {
            Prediction p = model.predict(s);
            rows.add(new Row(p, p.iterationSeconds() > 0 ? baseline.iterationSeconds() / p.iterationSeconds() : 1));
        }
        rows.sort(Comparator.comparingDouble((Row r) -> r.prediction().iterationSeconds())
                .thenComparing(r -> caution(r.prediction().spec())));
        double fastest = Double.POSITIVE_INFINITY;
        for (Row r : rows) {
            if (!reference(r)) {
                fastest = Math.min(fastest, r.prediction().iterationSeconds());
            }
        }
        Row chosen = null;
        for (Row r : rows) {
            TrainerSpec s = r.prediction().spec();
            if (!reference(r) && r.prediction().iterationSeconds() <= fastest * (1 + TIE)
                    && (chosen == null || caution(s) < caution(chosen.prediction().spec()))) {
                chosen = r;
            }
        }
        return new Plan(rows, baseline, chosen, model);
    }

    /**
     * How much a configuration changes training compared with synchronous SGD (lower is more cautious): the trainer's
     * caution, then staleness (width or τ), then compression, then the algorithm (the default table's choice first).
     */
    static int caution(TrainerSpec s) {
        return TrainerCostModels.of(s.trainer()).caution() * 10_000 + s.staleness() * 100
                + s.compression().ordinal() * 10 + (s.algorithm() == Algorithm.AUTO ? 0 : 1 + s.algorithm().ordinal());
    }

    private static boolean reference(Row r) {
        return TrainerCostModels.of(r.prediction().spec().trainer()).reference();
    }
}

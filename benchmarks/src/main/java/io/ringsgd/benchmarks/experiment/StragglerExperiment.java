package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.Straggler;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;

/**
 * {@code ringsgd experiment --stragglers}: trainers side by side, as threads of one JVM, with the last rank a
 * straggler ({@code --straggler P-1:FACTOR}, see {@link Straggler}). For each: samples per second (mini-batch samples
 * of all computing ranks over training seconds), the fast ranks' waiting fraction (the computing ranks other than the
 * straggler, rank 0 of async included since it computes too: time blocked on communication over compute plus blocked
 * time), final accuracy,
 * and training seconds to the target accuracy (default: sync's final accuracy minus 1 point). Writes
 * {@code stragglers.md}, {@code stragglers.csv}, {@code accuracy.png} (test accuracy against training time) and, when
 * async ran, {@code delays.png} (its delay histogram).
 */
final class StragglerExperiment {
    /** What one trainer measured. */
    record Row(String trainer, double samplesPerSecond, double fastWaitFraction, double finalAccuracy,
            List<EvaluationStats> evaluations, double trainSeconds, Map<Long, Long> delays) {

        double timeToTarget(double target) {
            for (EvaluationStats e : evaluations) {
                if (e.testAccuracy() >= target) {
                    return e.trainSeconds();
                }
            }
            return Double.NaN;
        }
    }

    private StragglerExperiment() {
    }

    /**
     * Runs {@code trainers} (sync first: the baseline) on {@code base} with the last rank slowed by {@code factor}.
     *
     * @param base    the shared configuration (workers, model, data, epochs, batch, seed, evaluations)
     * @param trainers trainer names, each with its own defaults
     * @param factor  the straggler's slow-down
     * @param target  target accuracy (0..1), or NaN for sync's final minus 1 point
     * @param dir     where the report goes
     * @param out     progress lines
     * @return the rows, in order
     */
    static List<Row> run(TrainConfig base, List<String> trainers, double factor, double target, Path dir,
            Consumer<String> out) {
        int workers = base.workers();
        Straggler straggler = new Straggler(workers - 1, factor);
        List<Row> rows = new ArrayList<>();
        for (String name : trainers) {
            TrainConfig cfg = base.toBuilder().trainer(name).clearOptions().straggler(straggler).build();
            out.accept("# running " + name + " with straggler " + straggler + " ...");
            List<TrainResult> rs = Communicators.runLocal(workers, c -> Trainers.create(name).train(c, cfg,
                    TrainingListener.NONE));
            Row row = row(name, cfg, rs, straggler);
            rows.add(row);
            out.accept(String.format(Locale.ROOT, "  %-6s %9.1f samples/s, fast ranks wait %5.1f %%, final accuracy"
                    + " %.2f %%", name, row.samplesPerSecond(), 100 * row.fastWaitFraction(),
                    100 * row.finalAccuracy()));
        }
        double t = Double.isNaN(target) ? rows.get(0).finalAccuracy() - 0.01 : target;
        String md = markdown(rows, t, base, straggler);
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("stragglers.md"), md);
            StringBuilder csv = new StringBuilder("trainer,samples_per_s,fast_wait_fraction,final_test_accuracy,"
                    + "time_to_target_s,train_seconds\n");
            for (Row r : rows) {
                csv.append(String.format(Locale.ROOT, "%s,%.1f,%.4f,%.4f,%.2f,%.2f%n", r.trainer(),
                        r.samplesPerSecond(), r.fastWaitFraction(), r.finalAccuracy(), r.timeToTarget(t),
                        r.trainSeconds()));
            }
            Files.writeString(dir.resolve("stragglers.csv"), csv.toString());
            Map<String, List<double[]>> curves = new LinkedHashMap<>();
            for (Row r : rows) {
                List<double[]> points = new ArrayList<>();
                for (EvaluationStats e : r.evaluations()) {
                    points.add(new double[] {e.trainSeconds(), e.testAccuracy()});
                }
                curves.put(r.trainer(), points);
            }
            ExperimentReport.plotAccuracy(dir.resolve("accuracy.png"), "test accuracy against training time, rank "
                    + straggler.rank() + " a straggler (" + straggler + ")", curves);
            for (Row r : rows) {
                if (!r.delays().isEmpty()) {
                    plotDelays(dir.resolve("delays.png"), r);
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the report into " + dir + ": " + e.getMessage(), e);
        }
        out.accept("");
        out.accept(md);
        out.accept("wrote " + dir.resolve("stragglers.md") + ", " + dir.resolve("stragglers.csv") + ", accuracy.png"
                + (rows.stream().anyMatch(r -> !r.delays().isEmpty()) ? " and delays.png" : ""));
        return rows;
    }

    private static Row row(String name, TrainConfig cfg, List<TrainResult> rs, Straggler straggler) {
        Trainer trainer = Trainers.create(name);
        int workers = cfg.workers();
        TrainResult r0 = rs.get(0);
        long samples = r0.iterationsRun() * cfg.data().batch() * trainer.shards(workers);
        double seconds = r0.trainSeconds();
        double waitSum = 0;
        int fast = 0;
        for (TrainResult r : rs) {
            if (r.rank() == straggler.rank() || trainer.shardOf(r.rank(), workers) < 0) {
                continue;
            }
            double busy = r.computeMs() + r.commWaitMs();
            waitSum += busy > 0 ? r.commWaitMs() / busy : 0;
            fast++;
        }
        Map<Long, Long> delays = new TreeMap<>();
        if (r0.trainerStats().get("delay_histogram") instanceof Map<?, ?> m) {
            m.forEach((k, v) -> delays.put(((Number) k).longValue(), ((Number) v).longValue()));
        }
        return new Row(name, samples / seconds, fast == 0 ? 0 : waitSum / fast, r0.finalTestAccuracy(),
                r0.evaluations(), seconds, delays);
    }

    /** Most bars in the delay plot: longer histograms go into bins of equal width. */
    private static final int BARS = 40;

    /** A bar chart of {@code row}'s delay histogram (updates between a gradient's read and its application). */
    private static void plotDelays(Path file, Row row) {
        long max = java.util.Collections.max(row.delays().keySet());
        long width = Math.max(1, (max + BARS) / BARS);
        Map<Long, Long> bins = new TreeMap<>();
        row.delays().forEach((d, k) -> bins.merge(d / width, k, Long::sum));
        List<String> labels = new ArrayList<>();
        List<Long> counts = new ArrayList<>();
        for (long b = 0; b <= max / width; b++) {
            labels.add(width == 1 ? Long.toString(b) : b * width + "-" + (b * width + width - 1));
            counts.add(bins.getOrDefault(b, 0L));
        }
        long total = row.delays().values().stream().mapToLong(Long::longValue).sum();
        double mean = row.delays().entrySet().stream().mapToDouble(e -> (double) e.getKey() * e.getValue()).sum()
                / total;
        CategoryChart chart = new CategoryChartBuilder().width(1000).height(480).title(String.format(Locale.ROOT,
                "%s: delays of its %d updates (mean %.2f, max %d)", row.trainer(), total, mean, max))
                .xAxisTitle("delay (updates between reading the model and applying the gradient)")
                .yAxisTitle("updates").build();
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setXAxisLabelRotation(labels.size() > 20 ? 90 : 0);
        chart.addSeries("delays", labels, counts);
        ExperimentReport.save(chart, file);
    }

    private static String markdown(List<Row> rows, double target, TrainConfig base, Straggler straggler) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%d workers (threads of one JVM), rank %d computes %sx as long; %s,"
                + " %d epochs, batch %d; target %.2f %%%n%n", base.workers(), straggler.rank(),
                straggler.toString().substring(straggler.toString().indexOf(':') + 1), base.data().spec(),
                base.data().epochs(), base.data().batch(), 100 * target));
        sb.append("| trainer | samples/s | vs sync | fast ranks waiting | final accuracy | time to target s |\n");
        sb.append("|---|---|---|---|---|---|\n");
        double sync = rows.get(0).samplesPerSecond();
        for (Row r : rows) {
            double tt = r.timeToTarget(target);
            sb.append(String.format(Locale.ROOT, "| %s | %.0f | %.2fx | %.1f %% | %.2f %% | %s |%n", r.trainer(),
                    r.samplesPerSecond(), r.samplesPerSecond() / sync, 100 * r.fastWaitFraction(),
                    100 * r.finalAccuracy(), Double.isNaN(tt) ? "not reached" : String.format(Locale.ROOT, "%.1f",
                    tt)));
        }
        return sb.toString();
    }
}

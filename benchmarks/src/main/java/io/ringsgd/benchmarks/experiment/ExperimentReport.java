package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.emulation.LinkModel;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** The experiment's outputs: results.csv, results.md and accuracy.png. */
final class ExperimentReport {
    static final String CSV_HEADER = "trainer,width,local_steps,compress,comm_ratio,mean_iteration_ms,"
            + "predicted_iteration_ms,time_to_target_s,final_test_accuracy,speedup_vs_sync,throughput_vs_sync,"
            + "prediction_error,compute_ms,link_latency_us,link_bandwidth_bps,arm_compute_ms,arm_wait_ms,bound";

    private final List<ExperimentResult> results;
    private final ExperimentResult sync;
    private final double target;
    private final double commRatio;
    private final LinkModel link;
    private final double computeMs;

    ExperimentReport(List<ExperimentResult> results, double target, double commRatio, LinkModel link,
            double computeMs) {
        this.results = results;
        this.sync = results.stream().filter(r -> r.arm().baseline()).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("--trainers must include sync (the baseline)"));
        this.target = target;
        this.commRatio = commRatio;
        this.link = link;
        this.computeMs = computeMs;
    }

    double speedup(ExperimentResult r) {
        return sync.timeToTarget(target) / r.timeToTarget(target);
    }

    double throughput(ExperimentResult r) {
        return sync.meanIterationMs() / r.meanIterationMs();
    }

    static double predictionError(ExperimentResult r) {
        return r.predictedIterationMs() / r.meanIterationMs() - 1;
    }

    void writeCsv(Path file) {
        StringBuilder sb = new StringBuilder(CSV_HEADER).append('\n');
        for (ExperimentResult r : results) {
            sb.append(String.format(Locale.ROOT, "%s,%d,%d,%s,%.3f,%.3f,%.3f,%s,%.4f,%s,%.3f,%.4f,%.3f,%.1f,%.0f,%.3f,"
                    + "%.3f,%s%n", r.arm().name(), r.arm().width(), r.arm().localSteps(),
                    r.arm().compression().cliName(), commRatio, r.meanIterationMs(), r.predictedIterationMs(),
                    num(r.timeToTarget(target)), r.finalAccuracy(), num(speedup(r)), throughput(r),
                    predictionError(r), computeMs, link.latency().toNanos() / 1e3, link.bytesPerSecond() * 8,
                    r.computeMs(), r.waitMs(), r.bound()));
        }
        write(file, sb.toString());
    }

    /** The Markdown table (also printed). */
    String markdown() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Link %s (comm ratio R = %.2f: one synchronous AllReduce of the gradient"
                + " takes %.2f × one iteration's compute of %.2f ms); target accuracy %.2f %%.%n%n", link,
                commRatio, commRatio, computeMs, 100 * target));
        boolean bounds = results.stream().anyMatch(r -> !r.bound().isEmpty());
        sb.append("| trainer | iteration ms (measured) | compute / waiting ms | predicted ms (error) | throughput vs"
                + " sync | time to target s | speedup vs sync | final accuracy |" + (bounds ? " bound |" : "")
                + "\n");
        sb.append("|---|---|---|---|---|---|---|---|" + (bounds ? "---|" : "") + "\n");
        for (ExperimentResult r : results) {
            double ttt = r.timeToTarget(target);
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f / %.2f | %.2f (%+.0f %%) | %.2fx | %s | %s |"
                    + " %.2f %% |%s%n", r.arm().name(), r.meanIterationMs(), r.computeMs(), r.waitMs(),
                    r.predictedIterationMs(), 100 * predictionError(r), throughput(r),
                    Double.isNaN(ttt) ? "not reached" : String.format(Locale.ROOT, "%.1f", ttt),
                    Double.isNaN(ttt) ? "-" : String.format(Locale.ROOT, "%.2fx", speedup(r)),
                    100 * r.finalAccuracy(), bounds ? " " + r.bound() + " |" : ""));
        }
        return sb.toString();
    }

    /**
     * The per-arm means over the seeds' reports (same arms in the same order): iteration time, throughput and
     * time-to-target speedup against each seed's own sync, final accuracy; then each seed's table.
     */
    static String meanOverSeeds(List<ExperimentReport> reports, List<Long> seeds) {
        ExperimentReport first = reports.get(0);
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "Mean over seeds %s (each seed against its own sync run); link %s, R ="
                + " %.2f.%n%n", seeds, first.link, first.commRatio));
        sb.append("| trainer | iteration ms | throughput vs sync | speedup to target vs sync | final accuracy | bound"
                + " |\n|---|---|---|---|---|---|\n");
        for (int a = 0; a < first.results.size(); a++) {
            double it = 0;
            double thr = 0;
            double spd = 0;
            double acc = 0;
            int reached = 0;
            for (ExperimentReport rep : reports) {
                ExperimentResult r = rep.results.get(a);
                it += r.meanIterationMs();
                thr += rep.throughput(r);
                acc += r.finalAccuracy();
                double sp = rep.speedup(r);
                if (!Double.isNaN(sp)) {
                    spd += sp;
                    reached++;
                }
            }
            int k = reports.size();
            ExperimentResult r0 = first.results.get(a);
            sb.append(String.format(Locale.ROOT, "| %s | %.2f | %.2fx | %s | %.2f %% | %s |%n", r0.arm().name(),
                    it / k, thr / k, reached == k ? String.format(Locale.ROOT, "%.2fx", spd / k)
                            : reached + " of " + k + " seeds reached the target", 100 * acc / k, r0.bound()));
        }
        for (int i = 0; i < reports.size(); i++) {
            sb.append("\n### Seed ").append(seeds.get(i)).append("\n\n").append(reports.get(i).markdown());
        }
        return sb.toString();
    }

    void writeMarkdown(Path file) {
        write(file, markdown());
    }

    void writePlot(Path file) {
        Map<String, List<double[]>> curves = new LinkedHashMap<>();
        for (ExperimentResult r : results) {
            List<double[]> points = new ArrayList<>();
            for (ExperimentResult.Point e : r.evaluations()) {
                points.add(new double[] {e.trainSeconds(), e.accuracy()});
            }
            curves.put(r.arm().name(), points);
        }
        plotAccuracy(file, String.format(Locale.ROOT, "test accuracy against training time, R = %.2f (%s)",
                commRatio, link), curves);
    }

    /**
     * Writes a PNG of test accuracy against training seconds, one series per name ({seconds, accuracy 0..1} points;
     * empty series are left out).
     */
    static void plotAccuracy(Path file, String title, Map<String, List<double[]>> curves) {
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title)
                .xAxisTitle("training time (s, evaluation excluded)").yAxisTitle("test accuracy (%)").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
        chart.getStyler().setMarkerSize(5);
        curves.forEach((name, points) -> {
            if (!points.isEmpty()) {
                List<Double> x = new ArrayList<>();
                List<Double> y = new ArrayList<>();
                for (double[] pt : points) {
                    x.add(pt[0]);
                    y.add(100 * pt[1]);
                }
                XYSeries s = chart.addSeries(name, x, y);
                s.setMarker(SeriesMarkers.CIRCLE);
            }
        });
        save(chart, file);
    }

    /** Writes {@code chart} as a PNG. */
    static void save(org.knowm.xchart.internal.chartpart.Chart<?, ?> chart, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.3f", v);
    }

    private static void write(Path file, String text) {
        try {
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String describe(LinkModel l) {
        return Units.formatDuration(l.latency()) + "/" + Units.formatBandwidth(l.bytesPerSecond());
    }
}

package io.ringsgd.pipesgd.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The PNG plot of a run (XChart): training loss (left axis) and test accuracy (right axis) against training time.
 * Rendering needs no display (headless AWT).
 */
public final class LossAccuracyPlot {
    private LossAccuracyPlot() {
    }

    /** Renders {@code rows} (from {@link MetricsRecorder}) into a PNG at {@code file}. */
    public static void write(List<MetricsRecorder.Row> rows, Path file, String title) {
        List<Double> lossX = new ArrayList<>();
        List<Double> lossY = new ArrayList<>();
        List<Double> accX = new ArrayList<>();
        List<Double> accY = new ArrayList<>();
        for (MetricsRecorder.Row r : rows) {
            if (r.kind().equals("iter") && Double.isFinite(r.loss())) {
                lossX.add(r.timeSeconds());
                lossY.add(r.loss());
            } else if (r.kind().equals("eval") && Double.isFinite(r.testAccuracy())) {
                accX.add(r.timeSeconds());
                accY.add(r.testAccuracy());
            }
        }
        XYChart chart = new XYChartBuilder().width(1000).height(560).title(title == null ? "" : title)
                .xAxisTitle("training time (s, evaluation excluded)").yAxisTitle("training loss").build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setMarkerSize(6);
        if (lossX.isEmpty()) {
            lossX.add(0.0);
            lossY.add(0.0);
        }
        XYSeries loss = chart.addSeries("training loss", lossX, lossY);
        loss.setMarker(SeriesMarkers.NONE);
        if (!accX.isEmpty()) {
            XYSeries acc = chart.addSeries("test accuracy", accX, accY);
            acc.setYAxisGroup(1);
            acc.setMarker(SeriesMarkers.CIRCLE);
            chart.setYAxisGroupTitle(1, "test accuracy");
            chart.getStyler().setYAxisGroupPosition(1, Styler.YAxisPosition.Right);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write plot " + file + ": " + e.getMessage(), e);
        }
    }
}

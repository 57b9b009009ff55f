package io.ringsgd.pipesgd.metrics;

import io.ringsgd.pipesgd.train.TrainResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes all outputs of a run into one directory: {@value #CSV}, {@value #PNG} and {@value #JSON}. */
public final class MetricsOutputs {
    /** File name of the metrics CSV. */
    public static final String CSV = "metrics.csv";
    /** File name of the plot. */
    public static final String PNG = "metrics.png";
    /** File name of the JSON summary. */
    public static final String JSON = "summary.json";

    private MetricsOutputs() {
    }

    /** Writes the CSV, the plot and the summary of {@code result} into {@code dir} (created if missing). */
    public static void writeAll(Path dir, MetricsRecorder recorder, TrainResult result) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create output directory " + dir + ": " + e.getMessage(), e);
        }
        recorder.writeCsv(dir.resolve(CSV));
        recorder.writePlot(dir.resolve(PNG), String.format("%s width %d, %d workers, %s: test accuracy %.4f",
                result.trainer(), result.width(), result.workers(), result.model(), result.finalTestAccuracy()));
        SummaryJson.write(result, dir.resolve(JSON));
    }
}

package io.ringsgd.pipesgd.metrics;

import io.ringsgd.pipesgd.train.EpochStats;
import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * A listener that keeps a run's metrics in memory (one rank's: attach it on rank 0) and writes them as a CSV and a
 * PNG plot. Iterations are aggregated over intervals of {@code every} iterations (mean loss, summed times).
 *
 * <p>CSV columns: {@code kind,time_s,wall_s,epoch,iteration,loss,learning_rate,test_accuracy,test_loss,compute_ms,
 * comm_wait_ms,eval_ms}. {@code kind} is {@code iter} (an interval of iterations: mean loss, last rate, summed compute
 * and wait), {@code eval} (a test evaluation) or {@code epoch} (an epoch's totals). {@code time_s} is training time
 * since the start (evaluations and checkpoints excluded), {@code wall_s} wall-clock time (evaluations only),
 * {@code epoch} counts from 1 (as the progress lines and the summary do) and {@code iteration} counts iterations
 * completed. Empty cells do not apply to the kind.
 */
public final class MetricsRecorder implements TrainingListener {
    /** The CSV header line. */
    public static final String HEADER = "kind,time_s,wall_s,epoch,iteration,loss,learning_rate,test_accuracy,"
            + "test_loss,compute_ms,comm_wait_ms,eval_ms";

    private final int every;
    private final List<Row> rows = new ArrayList<>();
    private int pending;
    private double lossSum;
    private long computeSum;
    private long waitSum;

    /** Records every iteration. */
    public MetricsRecorder() {
        this(1);
    }

    /** Records one row per {@code every} iterations. */
    public MetricsRecorder(int every) {
        if (every < 1) {
            throw new IllegalArgumentException("metrics interval must be at least 1 iteration, got " + every);
        }
        this.every = every;
    }

    /** One CSV row. */
    public record Row(String kind, double timeSeconds, double wallSeconds, int epoch, long iteration, double loss,
            double learningRate, double testAccuracy, double testLoss, double computeMs, double commWaitMs,
            double evalMs) {
    }

    @Override
    public synchronized void onIteration(IterationStats s) {
        pending++;
        lossSum += s.loss();
        computeSum += s.computeNanos();
        waitSum += s.commWaitNanos();
        if (pending == every) {
            rows.add(new Row("iter", s.trainSeconds(), Double.NaN, s.epoch(), s.iteration() + 1, lossSum / pending,
                    s.learningRate(), Double.NaN, Double.NaN, computeSum / 1e6, waitSum / 1e6, Double.NaN));
            pending = 0;
            lossSum = 0;
            computeSum = 0;
            waitSum = 0;
        }
    }

    @Override
    public synchronized void onEvaluation(EvaluationStats s) {
        rows.add(new Row("eval", s.trainSeconds(), s.wallSeconds(), s.epoch(), s.iterations(), Double.NaN, Double.NaN,
                s.testAccuracy(), s.testLoss(), Double.NaN, Double.NaN, s.evalSeconds() * 1000));
    }

    @Override
    public synchronized void onEpochEnd(EpochStats s) {
        rows.add(new Row("epoch", s.trainSeconds(), Double.NaN, s.epoch(), s.iterationsDone(), s.meanLoss(), Double.NaN,
                Double.NaN, Double.NaN, s.computeNanos() / 1e6, s.commWaitNanos() / 1e6, Double.NaN));
    }

    /** The rows so far (a snapshot). */
    public synchronized List<Row> rows() {
        return Collections.unmodifiableList(new ArrayList<>(rows));
    }

    /** Writes the CSV to {@code file} (replacing it). */
    public void writeCsv(Path file) {
        List<Row> snapshot = rows();
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.UTF_8))) {
            w.write(HEADER);
            w.write('\n');
            for (Row r : snapshot) {
                w.write(r.kind());
                w.write(',');
                w.write(num(r.timeSeconds()));
                w.write(',');
                w.write(num(r.wallSeconds()));
                w.write(',');
                w.write(Integer.toString(r.epoch() + 1));
                w.write(',');
                w.write(Long.toString(r.iteration()));
                w.write(',');
                w.write(num(r.loss()));
                w.write(',');
                w.write(num(r.learningRate()));
                w.write(',');
                w.write(num(r.testAccuracy()));
                w.write(',');
                w.write(num(r.testLoss()));
                w.write(',');
                w.write(num(r.computeMs()));
                w.write(',');
                w.write(num(r.commWaitMs()));
                w.write(',');
                w.write(num(r.evalMs()));
                w.write('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write metrics CSV " + file + ": " + e.getMessage(), e);
        }
    }

    /** Writes a PNG plot of training loss and test accuracy against training time to {@code file}. */
    public void writePlot(Path file, String title) {
        LossAccuracyPlot.write(rows(), file, title);
    }

    private static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return String.format(Locale.ROOT, "%.6g", v);
    }
}

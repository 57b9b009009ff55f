package io.ringsgd.launch;

import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingStarted;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongFunction;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Rank 0's progress: a progress bar with loss, iterations per second and ETA on a terminal; on a pipe (a log, or
 * {@code ringsgd run}'s prefixed output) a line every few seconds instead, so logs stay readable.
 */
final class Progress implements TrainingListener {
    private static final long LINE_EVERY_NANOS = 5_000_000_000L;

    private final boolean quiet;
    private final PrintStream out;
    private final String label;
    private final boolean terminal = System.console() != null;
    private ProgressBar bar;
    private long total;
    private long first;
    private long startNanos;
    private long lastLine;
    private double loss = Double.NaN;
    private LongFunction<String> note = iterations -> "";

    /** Progress of a run that the trainer calls {@code label} ("pipe width 2"), printed to {@code out}. */
    Progress(boolean quiet, PrintStream out, String label) {
        this.quiet = quiet;
        this.out = out;
        this.label = label;
    }

    /**
     * Adds {@code note} of the iterations done (e.g. the privacy spent, "epsilon 2.95 (delta 1e-05)") to every
     * progress and evaluation line.
     */
    Progress withNote(LongFunction<String> note) {
        this.note = iterations -> ", " + note.apply(iterations);
        return this;
    }

    @Override
    public void onStart(TrainingStarted s) {
        if (quiet) {
            return;
        }
        total = s.totalIterations();
        first = s.startIteration();
        startNanos = System.nanoTime();
        lastLine = startNanos;
        // The data description says when the embedded subset stands in for a missing Fashion-MNIST.
        out.printf(Locale.ROOT, "training %s on %d workers: %s, %d parameters, data %s, %d iterations (%d per"
                + " epoch), BLAS %s%n", label, s.workers(), s.model(), s.parameterCount(), s.data(),
                s.totalIterations(), s.iterationsPerEpoch(),
                s.blas());
        out.println(s.deviceSummary());
        if (s.startIteration() > 0) {
            out.printf(Locale.ROOT, "resuming at iteration %d%n", s.startIteration());
        }
        if (terminal) {
            bar = new ProgressBarBuilder().setTaskName("train").setInitialMax(total).startsFrom(first,
                    java.time.Duration.ZERO).setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250)
                    .showSpeed().setUnit(" it", 1).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(
                            out)).build();
        }
    }

    @Override
    public void onIteration(IterationStats s) {
        if (quiet) {
            return;
        }
        loss = s.loss();
        if (bar != null) {
            bar.stepTo(s.iteration() + 1);
            bar.setExtraMessage(String.format(Locale.ROOT, "epoch %d loss %.4f", s.epoch() + 1, loss));
            return;
        }
        long now = System.nanoTime();
        if (now - lastLine >= LINE_EVERY_NANOS) {
            lastLine = now;
            long done = s.iteration() + 1 - first;
            double rate = done / ((now - startNanos) / 1e9);
            long left = total - s.iteration() - 1;
            out.printf(Locale.ROOT, "epoch %d iteration %d/%d loss %.4f %.1f it/s ETA %s%s%n", s.epoch() + 1,
                    s.iteration() + 1, total, loss, rate, eta(left / Math.max(rate, 1e-9)),
                    note.apply(s.iteration() + 1));
        }
    }

    @Override
    public void onEvaluation(EvaluationStats e) {
        if (quiet) {
            return;
        }
        String line = String.format(Locale.ROOT, "evaluation after %d iterations: test accuracy %.2f %%, loss %.4f%s",
                e.iterations(), 100 * e.testAccuracy(), e.testLoss(), note.apply(e.iterations()));
        if (bar != null) {
            bar.setExtraMessage(line);
        } else {
            out.println(line);
        }
    }

    @Override
    public void onFinish(TrainResult result) {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }

    private static String eta(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%dh%02dm", s / 3600, s / 60 % 60)
                : String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
    }
}

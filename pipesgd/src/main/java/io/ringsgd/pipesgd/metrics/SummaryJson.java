package io.ringsgd.pipesgd.metrics;

import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.OptimizerConfig;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.Trainers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * The JSON summary of a run, written by hand (no JSON library): {@code trainer, width, workers, epochs,
 * final_test_accuracy, wall_seconds, iterations, mean_iteration_ms, compute_ms, comm_wait_ms, params_sha256} and
 * more, the trainer's own options in {@code trainer_options} (as text), and the evaluations (epochs counted from 1).
 * {@code compute_ms} and {@code comm_wait_ms} are averages over ranks; {@code rank0_*} are rank 0's own. Non-finite
 * numbers are written as null.
 */
public final class SummaryJson {
    private SummaryJson() {
    }

    /** The summary of {@code r} as a JSON object. */
    public static String toJson(TrainResult r) {
        TrainConfig c = r.config();
        StringBuilder sb = new StringBuilder(1024);
        sb.append("{\n");
        field(sb, "trainer", r.trainer());
        field(sb, "width", r.width());
        field(sb, "workers", r.workers());
        field(sb, "epochs", r.epochs());
        field(sb, "iterations", r.iterations());
        field(sb, "start_iteration", r.startIteration());
        field(sb, "final_test_accuracy", r.finalTestAccuracy());
        field(sb, "final_test_loss", r.finalTestLoss());
        field(sb, "wall_seconds", r.wallSeconds());
        field(sb, "train_seconds", r.trainSeconds());
        field(sb, "eval_seconds", r.evalSeconds());
        field(sb, "checkpoint_seconds", r.checkpointSeconds());
        field(sb, "mean_iteration_ms", r.meanIterationMs());
        field(sb, "compute_ms", r.meanComputeMs());
        field(sb, "comm_wait_ms", r.meanCommWaitMs());
        field(sb, "rank0_compute_ms", r.computeMs());
        field(sb, "rank0_comm_wait_ms", r.commWaitMs());
        field(sb, "params_sha256", r.paramsSha256());
        field(sb, "parameter_count", r.parameterCount());
        field(sb, "model", r.model());
        field(sb, "data", r.data());
        field(sb, "device", r.device());
        OptimizerConfig o = c.optimizer();
        field(sb, "batch_per_worker", c.data().batch());
        field(sb, "lr", o.lr());
        field(sb, "momentum", o.momentum());
        field(sb, "nesterov", o.nesterov());
        field(sb, "weight_decay", o.weightDecay());
        field(sb, "schedule", o.schedule().cliName());
        field(sb, "warmup_epochs", o.warmupEpochs());
        field(sb, "compression", c.compression().cliName());
        field(sb, "error_feedback", c.errorFeedback());
        field(sb, "wire_bytes_sent", r.wireBytesSent());
        field(sb, "wire_bytes_per_iteration", Math.round(r.wireBytesPerIteration()));
        field(sb, "seed", c.seed());
        sb.append("  \"trainer_options\": {");
        boolean firstOption = true;
        for (TrainerOption<?> t : Trainers.provider(r.trainer()).options()) {
            sb.append(firstOption ? "" : ", ").append(quote(t.name())).append(": ").append(quote(c.formatted(t)));
            firstOption = false;
        }
        sb.append("},\n");
        if (!r.trainerStats().isEmpty()) {
            sb.append("  \"trainer_stats\": ").append(value(r.trainerStats())).append(",\n");
        }
        sb.append("  \"evaluations\": [");
        boolean first = true;
        for (EvaluationStats e : r.evaluations()) {
            sb.append(first ? "\n" : ",\n");
            first = false;
            sb.append("    {\"iterations\": ").append(e.iterations()).append(", \"epoch\": ").append(e.epoch() + 1)
                    .append(", \"train_seconds\": ").append(number(e.trainSeconds()))
                    .append(", \"test_accuracy\": ").append(number(e.testAccuracy()))
                    .append(", \"test_loss\": ").append(number(e.testLoss())).append('}');
        }
        sb.append(first ? "]\n" : "\n  ]\n");
        sb.append("}\n");
        return sb.toString();
    }

    /** Writes {@link #toJson} to {@code file}. */
    public static void write(TrainResult r, Path file) {
        try {
            Files.writeString(file, toJson(r), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write summary " + file + ": " + e.getMessage(), e);
        }
    }

    private static void field(StringBuilder sb, String key, String value) {
        sb.append("  ").append(quote(key)).append(": ").append(value == null ? "null" : quote(value)).append(",\n");
    }

    private static void field(StringBuilder sb, String key, long value) {
        sb.append("  ").append(quote(key)).append(": ").append(value).append(",\n");
    }

    private static void field(StringBuilder sb, String key, double value) {
        sb.append("  ").append(quote(key)).append(": ").append(number(value)).append(",\n");
    }

    private static void field(StringBuilder sb, String key, boolean value) {
        sb.append("  ").append(quote(key)).append(": ").append(value).append(",\n");
    }

    private static String number(double v) {
        if (!Double.isFinite(v)) {
            return "null";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        return String.format(Locale.ROOT, "%.6g", v).replaceFirst("(\\.\\d*?)0+(e|$)", "$1$2")
                .replaceFirst("\\.(e|$)", "$1");
    }

    /** {@code s} as a JSON string literal: quotes, backslashes and control characters escaped. */
    /** A number, text or map (of those) as JSON. */
    private static String value(Object v) {
        if (v instanceof Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                sb.append(first ? "" : ", ").append(quote(String.valueOf(e.getKey()))).append(": ")
                        .append(value(e.getValue()));
                first = false;
            }
            return sb.append('}').toString();
        }
        if (v instanceof Double || v instanceof Float) {
            return number(((Number) v).doubleValue());
        }
        if (v instanceof Number) {
            return v.toString();
        }
        return v == null ? "null" : quote(v.toString());
    }

        public static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"':
                    sb.append("\\\"");
                    break;
                case '\\':
                    sb.append("\\\\");
                    break;
                case '\n':
                    sb.append("\\n");
                    break;
                case '\r':
                    sb.append("\\r");
                    break;
                case '\t':
                    sb.append("\\t");
                    break;
                case '\b':
                    sb.append("\\b");
                    break;
                case '\f':
                    sb.append("\\f");
                    break;
                default:
                    if (ch < 0x20 || ch == 0x2028 || ch == 0x2029) {
                        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
                    } else {
                        sb.append(ch);
                    }
            }
        }
        return sb.append('"').toString();
    }
}

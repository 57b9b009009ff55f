package io.ringsgd.cocod.tools;

import io.ringsgd.cocod.CocodOptions;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.metrics.MetricsOutputs;
import io.ringsgd.pipesgd.metrics.MetricsRecorder;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Paths;
import java.util.List;
import java.util.Locale;

/**
 * A real training run on in-JVM ranks for reports (not a test), wired the way the CLI wires the API:
 * {@code CocodTrainRun key=value ...} with keys trainer, workers, epochs, data, model, hidden, batch, lr, momentum,
 * nesterov, wd, schedule, warmup, tau, width, compress, seed, max, out, and {@code cocod.*} options. Prints the final
 * test accuracy and loss, training time, mean compute and communication wait, and checks that every rank ended with
 * the same parameters.
 */
public final class CocodTrainRun {
    private CocodTrainRun() {
    }

    public static void main(String[] args) {
        TrainConfig.Builder b = TrainConfig.builder();
        String out = null;
        for (String a : args) {
            int eq = a.indexOf('=');
            String k = a.substring(0, eq);
            String v = a.substring(eq + 1);
            switch (k) {
                case "trainer": b.trainer(v); break;
                case "workers": b.workers(Integer.parseInt(v)); break;
                case "epochs": b.epochs(Integer.parseInt(v)); break;
                case "data": b.data(v); break;
                case "model": b.model(v); break;
                case "hidden": b.hidden(TrainConfig.parseHidden(v)); break;
                case "batch": b.batch(Integer.parseInt(v)); break;
                case "lr": b.lr(Double.parseDouble(v)); break;
                case "momentum": b.momentum(Double.parseDouble(v)); break;
                case "nesterov": b.nesterov(Boolean.parseBoolean(v)); break;
                case "wd": b.weightDecay(Double.parseDouble(v)); break;
                case "schedule": b.schedule(v); break;
                case "warmup": b.warmupEpochs(Double.parseDouble(v)); break;
                case "tau": b.option(CocodOptions.LOCAL_STEPS, Integer.parseInt(v)); break;
                case "width": b.option(PipeSgdTrainer.WIDTH, Integer.parseInt(v)); break;
                case "compress": b.compression(v); break;
                case "seed": b.seed(Long.parseLong(v)); break;
                case "max": b.maxIterations(Long.parseLong(v)); break;
                case "out": out = v; break;
                default:
                    if (k.startsWith("cocod.")) {
                        b.option(k, v);
                    } else {
                        throw new IllegalArgumentException("unknown key " + k);
                    }
            }
        }
        if (out != null) {
            b.outputDir(Paths.get(out));
        }
        TrainConfig cfg = b.build();
        cfg.checkEnvironment();
        Trainer t = Trainers.create(cfg.trainer());
        MetricsRecorder recorder = new MetricsRecorder();
        List<TrainResult> results = Communicators.runLocal(cfg.workers(), comm -> t.train(comm, cfg,
                comm.rank() == 0 ? recorder : TrainingListener.NONE));
        TrainResult r0 = results.get(0);
        if (out != null) {
            MetricsOutputs.writeAll(Paths.get(out), recorder, r0);
        }
        for (TrainResult r : results) {
            if (!r.paramsSha256().equals(r0.paramsSha256())) {
                throw new AssertionError("rank " + r.rank() + " ended with different parameters");
            }
        }
        System.out.println(cfg);
        StringBuilder evals = new StringBuilder();
        for (var e : r0.evaluations()) {
            evals.append(String.format(Locale.ROOT, " %.4f", e.testAccuracy()));
        }
        System.out.printf(Locale.ROOT, "RESULT trainer=%s tau=%d acc=%.4f loss=%.4f train_s=%.1f compute_ms_mean=%.0f "
                + "wait_ms_mean=%.0f wait_ms_rank0=%.0f iters=%d evals=[%s ]%n", cfg.trainer(),
                cfg.option(CocodOptions.LOCAL_STEPS),
                r0.finalTestAccuracy(), r0.finalTestLoss(), r0.trainSeconds(), r0.meanComputeMs(),
                r0.meanCommWaitMs(), r0.commWaitMs(), r0.iterations(), evals);
    }
}

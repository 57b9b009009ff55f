package io.ringsgd.pipesgd.tools;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.metrics.MetricsOutputs;
import io.ringsgd.pipesgd.metrics.MetricsRecorder;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * A real training run on in-JVM ranks, for reports (not a test), the way the CLI wires the API:
 * {@code TrainRun trainer width compress workers epochs outputDir [key=value ...]}.
 */
public final class TrainRun {
    private TrainRun() {
    }

    public static void main(String[] args) {
        String trainer = args[0];
        int width = Integer.parseInt(args[1]);
        String compress = args[2];
        int workers = Integer.parseInt(args[3]);
        int epochs = Integer.parseInt(args[4]);
        Path out = Paths.get(args[5]);
        TrainConfig.Builder b = TrainConfig.builder().trainer(trainer).compression(compress).workers(workers)
                .epochs(epochs).outputDir(out);
        if (!trainer.equals("sync")) {
            b.option(PipeSgdTrainer.WIDTH, width);
        }
        for (int i = 6; i < args.length; i++) {
            String k = args[i].substring(0, args[i].indexOf('='));
            String v = args[i].substring(args[i].indexOf('=') + 1);
            switch (k) {
                case "data": b.data(v); break;
                case "batch": b.batch(Integer.parseInt(v)); break;
                case "lr": b.lr(Double.parseDouble(v)); break;
                case "momentum": b.momentum(Double.parseDouble(v)); break;
                case "nesterov": b.nesterov(Boolean.parseBoolean(v)); break;
                case "wd": b.weightDecay(Double.parseDouble(v)); break;
                case "warmup": b.warmupEpochs(Double.parseDouble(v)); break;
                case "syncwarmup": b.option(PipeSgdTrainer.SYNC_WARMUP.name(), v); break;
                case "schedule": b.schedule(v); break;
                case "seed": b.seed(Long.parseLong(v)); break;
                default: throw new IllegalArgumentException("unknown option " + k);
            }
        }
        TrainConfig cfg = b.build();
        cfg.checkEnvironment();
        Trainer t = Trainers.create(cfg.trainer());
        MetricsRecorder recorder = new MetricsRecorder();
        List<TrainResult> results = Communicators.runLocal(workers, comm -> t.train(comm, cfg,
                comm.rank() == 0 ? recorder : TrainingListener.NONE));
        TrainResult r0 = results.get(0);
        MetricsOutputs.writeAll(out, recorder, r0);
        for (TrainResult r : results) {
            if (!r.paramsSha256().equals(r0.paramsSha256())) {
                throw new AssertionError("rank " + r.rank() + " ended with different parameters");
            }
        }
        System.out.println(cfg);
        System.out.println(r0);
        System.out.printf("per-rank comm wait ms:");
        for (TrainResult r : results) {
            System.out.printf(" %.0f", r.commWaitMs());
        }
        System.out.println();
        for (var e : r0.evaluations()) {
            System.out.printf("  after %d iterations (%.1f s): test accuracy %.4f loss %.4f%n", e.iterations(),
                    e.trainSeconds(), e.testAccuracy(), e.testLoss());
        }
    }
}

package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;

/** The small Pipe-SGD runs of the resume tests, on the CPU or a device, and the crash-then-resume comparison. */
final class ResumeRuns {
    static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    private ResumeRuns() {
    }

    static TrainConfig.Builder config(int workers, int width, String compression, String device) {
        return TrainConfig.builder().trainer("pipe").option(PipeSgdTrainer.WIDTH, width).workers(workers).data(DATA)
                .model("mlp").hidden(8)
                .epochs(2).batch(10).lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3).warmupEpochs(0.2)
                .compression(compression).seed(23).device(device);
    }

    static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg,
                listener));
    }

    /** Every rank throws at iteration {@code at}, as if the job were killed. */
    static TrainingListener crashAt(long at) {
        return new TrainingListener() {
            @Override
            public void onIteration(IterationStats s) {
                if (s.iteration() == at) {
                    throw new IllegalStateException("simulated crash at iteration " + at);
                }
            }
        };
    }

    /**
     * Runs uninterrupted (checking that checkpoints do not change the trajectory), then crashed at {@code crashAt}
     * and resumed; returns the resumed ranks' results after checking each starts at {@code expectedStart} and ends
     * with the uninterrupted run's parameters.
     */
    static List<TrainResult> resumeIsExact(Path tmp, String device, int workers, int width, String compression,
            long syncWarmup, long crashAt, long expectedStart) {
        TrainConfig.Builder b = config(workers, width, compression, device).option(PipeSgdTrainer.SYNC_WARMUP,
                (long) (syncWarmup)).checkpointEvery(7);
        String reference = train(config(workers, width, compression, device).option(PipeSgdTrainer.SYNC_WARMUP,
                (long) (syncWarmup)).build(),
                TrainingListener.NONE).get(0).paramsSha256();
        Path full = tmp.resolve("full-" + workers + width + compression);
        TrainResult uninterrupted = train(b.checkpointDir(full).build(), TrainingListener.NONE).get(0);
        assertThat(uninterrupted.paramsSha256()).as("checkpoints do not change the trajectory").isEqualTo(reference);

        Path crashed = tmp.resolve("crashed-" + workers + width + compression);
        TrainConfig first = b.checkpointDir(crashed).build();
        assertThatThrownBy(() -> train(first, crashAt(crashAt))).hasMessageContaining("simulated crash");
        List<TrainResult> resumed = train(b.checkpointDir(crashed).resume(true).build(), TrainingListener.NONE);
        for (TrainResult r : resumed) {
            assertThat(r.startIteration()).isEqualTo(expectedStart);
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(uninterrupted.paramsSha256());
        }
        return resumed;
    }
}

package io.ringsgd.cocod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.checkpoint.CheckpointException;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CoCoD-SGD run killed mid-way and resumed from its newest checkpoint ends bit-identical, on every rank, to an
 * uninterrupted run, and checkpoints do not change the trajectory.
 */
@Timeout(60)
class CocodResumeTest {
    private static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    @TempDir
    Path tmp;

    private static TrainConfig.Builder config(int workers, int tau, String compression) {
        return TrainConfig.builder().trainer("cocod").option(CocodOptions.LOCAL_STEPS, tau).workers(workers)
                .data(DATA).model("mlp")
                .hidden(8).epochs(2).batch(10).lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3)
                .warmupEpochs(0.2).compression(compression).seed(23);
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg,
                listener));
    }

    /** Every rank throws at iteration {@code at}, as if the job were killed. */
    private static TrainingListener crashAt(long at) {
        return new TrainingListener() {
            @Override
            public void onIteration(IterationStats s) {
                if (s.iteration() == at) {
                    throw new IllegalStateException("simulated crash at iteration " + at);
                }
            }
        };
    }

    private void resumeIsExact(TrainConfig.Builder b, long crashAt, long expectedStart) {
        String name = b.build().toString().hashCode() + "-" + crashAt;
        String reference = train(b.build(), TrainingListener.NONE).get(0).paramsSha256();
        TrainConfig.Builder ck = b.build().toBuilder().checkpointEvery(7);
        TrainResult uninterrupted = train(ck.checkpointDir(tmp.resolve("full-" + name)).build(),
                TrainingListener.NONE).get(0);
        assertThat(uninterrupted.paramsSha256()).as("checkpoints do not change the trajectory").isEqualTo(reference);

        Path crashed = tmp.resolve("crashed-" + name);
        TrainConfig first = ck.checkpointDir(crashed).build();
        assertThatThrownBy(() -> train(first, crashAt(crashAt))).hasMessageContaining("simulated crash");
        List<TrainResult> resumed = train(ck.checkpointDir(crashed).resume(true).build(), TrainingListener.NONE);
        for (TrainResult r : resumed) {
            assertThat(r.startIteration()).isEqualTo(expectedStart);
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(uninterrupted.paramsSha256());
        }
    }

    @Test
    void resumesExactlyInTheMiddleOfARound() {
        // 3 ranks, tau 3: the checkpoint at iteration 14 falls after the 2nd local step of a round whose average is
        // in flight (rounds start at 0, 3, ..., 12; iteration 20 ends epoch 1 with a consensus point).
        resumeIsExact(config(3, 3, "none"), 17, 14);
    }

    @Test
    void resumesExactlyWithInt8WeightedUnequalBatches() {
        // Error-feedback residuals, per-rank momentum and the compressed average's reference are restored.
        resumeIsExact(config(2, 4, "int8").option(CocodOptions.WEIGHTED.name(), "true")
                .option(CocodOptions.BATCH_SIZES.name(), "5,15"), 30, 28);
    }

    @Test
    void resumesExactlyRightAfterAConsensusPoint() {
        // 2 ranks: epoch 1 ends at iteration 30 with a consensus point; eval-every 14 adds one at 14 and 28, where
        // the checkpoint of iteration 28 is taken.
        resumeIsExact(config(2, 2, "fp16").evalEvery(14), 29, 28);
    }

    @Test
    void resumingAFinishedRunReturnsItsParameters() {
        Path dir = tmp.resolve("done");
        TrainConfig cfg = config(2, 3, "none").checkpointDir(dir).checkpointEvery(10).build();
        TrainResult done = train(cfg, TrainingListener.NONE).get(0);
        List<TrainResult> again = train(cfg.toBuilder().resume(true).build(), TrainingListener.NONE);
        for (TrainResult r : again) {
            assertThat(r.startIteration()).isEqualTo(60);
            assertThat(r.paramsSha256()).isEqualTo(done.paramsSha256());
        }
    }

    @Test
    void checkpointsOfOtherSettingsAreRefused() {
        Path dir = tmp.resolve("ckpt");
        TrainConfig cfg = config(2, 3, "none").option(CocodOptions.BATCH_SIZES.name(), "10,5").checkpointDir(dir)
                .checkpointEvery(20).build();
        train(cfg, TrainingListener.NONE);
        assertThatThrownBy(() -> train(cfg.toBuilder().option(CocodOptions.LOCAL_STEPS, 2).resume(true).build(),
                TrainingListener.NONE)).isInstanceOf(CheckpointException.class).hasMessageContaining("local-steps");
        assertThatThrownBy(() -> train(cfg.toBuilder().option(CocodOptions.WEIGHTED, true).resume(true).build(),
                TrainingListener.NONE)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("was written with cocod.weighted false, this run has true");
        assertThatThrownBy(() -> train(cfg.toBuilder().option(CocodOptions.BATCH_SIZES.name(), "5,10").resume(true)
                .build(), TrainingListener.NONE)).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("cocod.batch-sizes 10,5, this run has 5,10");
        assertThatThrownBy(() -> train(cfg.toBuilder().clearOptions().trainer("pipe").resume(true).build(),
                TrainingListener.NONE)).isInstanceOf(CheckpointException.class).hasMessageContaining("trainer");
    }
}

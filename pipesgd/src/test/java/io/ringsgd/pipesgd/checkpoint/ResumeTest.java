package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A run killed mid-way and resumed from its newest checkpoint ends bit-identical to an uninterrupted run. */
@Timeout(120)
class ResumeTest {
    @TempDir
    Path tmp;

    private static TrainConfig.Builder config(int workers, int width, String compression) {
        return ResumeRuns.config(workers, width, compression, "auto");
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return ResumeRuns.train(cfg, listener);
    }

    private void resumeIsExact(int workers, int width, String compression, long syncWarmup, long crashAt,
            long expectedStart) {
        for (TrainResult r : ResumeRuns.resumeIsExact(tmp, "auto", workers, width, compression, syncWarmup, crashAt,
                expectedStart)) {
            assertThat(r.iterations()).isEqualTo(2 * (600 / workers / 10));
        }
    }

    @Test
    void pipelineWithInt8ResumesExactly() {
        // Width 2 with error feedback: the in-flight gradient and each rank's residual are restored.
        resumeIsExact(2, 2, "int8", 0, 17, 14);
    }

    @Test
    void widePipelineWithWarmupResumesExactly() {
        resumeIsExact(3, 3, "none", 5, 30, 28);
    }

    @Test
    void synchronousFp16ResumesExactly() {
        resumeIsExact(2, 1, "fp16", 0, 9, 7);
    }

    @Test
    void convolutionalModelResumesExactlyAndAnotherModelsCheckpointIsRefused() {
        TrainConfig cfg = ResumeRuns.config(2, 2, "none", "cpu").data(DataSpec.synthetic(600, 200, 64, 3, 0.15, 5))
                .model("cnn:c4k3p1-pool2-c6k3-d8").checkpointEvery(7).build();
        String uninterrupted = ResumeRuns.train(cfg, TrainingListener.NONE).get(0).paramsSha256();
        Path dir = tmp.resolve("cnn");
        TrainConfig first = cfg.toBuilder().checkpointDir(dir).build();
        assertThatThrownBy(() -> ResumeRuns.train(first, ResumeRuns.crashAt(17)))
                .hasMessageContaining("simulated crash");
        for (TrainResult r : ResumeRuns.train(first.toBuilder().resume(true).build(), TrainingListener.NONE)) {
            assertThat(r.startIteration()).isEqualTo(14);
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(uninterrupted);
        }
        TrainConfig other = first.toBuilder().model("cnn:c4k3p1-pool2-c5k3-d8").resume(true).build();
        assertThatThrownBy(() -> ResumeRuns.train(other, TrainingListener.NONE)).hasMessageContaining("model");
    }

    @Test
    void resumeWithoutCheckpointsStartsFresh() {
        Path empty = tmp.resolve("empty");
        TrainConfig cfg = config(2, 2, "none").checkpointDir(empty).resume(true).build();
        String fresh = train(config(2, 2, "none").build(), TrainingListener.NONE).get(0).paramsSha256();
        TrainResult r = train(cfg, TrainingListener.NONE).get(0);
        assertThat(r.startIteration()).isZero();
        assertThat(r.paramsSha256()).isEqualTo(fresh);
    }

    @Test
    void resumingAFinishedRunReturnsItsParameters() throws IOException {
        Path dir = tmp.resolve("done");
        TrainConfig cfg = config(2, 2, "none").checkpointDir(dir).checkpointEvery(10).build();
        TrainResult done = train(cfg, TrainingListener.NONE).get(0);
        try (Stream<Path> s = Files.list(dir)) {
            // only the final checkpoint and the one before it remain: shared + one file per rank each
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly(
                    "checkpoint-000000000050.ckpt", "checkpoint-000000000050.rank-0.ckpt",
                    "checkpoint-000000000050.rank-1.ckpt", "checkpoint-000000000060.ckpt",
                    "checkpoint-000000000060.rank-0.ckpt", "checkpoint-000000000060.rank-1.ckpt");
        }
        TrainResult again = train(cfg.toBuilder().resume(true).build(), TrainingListener.NONE).get(0);
        assertThat(again.startIteration()).isEqualTo(60);
        assertThat(again.paramsSha256()).isEqualTo(done.paramsSha256());
    }

    @Test
    void continuingFromAFinalCheckpointRefillsThePipeline() {
        Path dir = tmp.resolve("extend");
        TrainConfig shortRun = config(2, 2, "int8").checkpointDir(dir).maxIterations(30).build();
        assertThat(train(shortRun, TrainingListener.NONE).get(0).iterations()).isEqualTo(30);
        java.util.concurrent.atomic.AtomicLong updates = new java.util.concurrent.atomic.AtomicLong();
        List<TrainResult> rs = train(shortRun.toBuilder().maxIterations(0).resume(true).build(),
                new TrainingListener() {
                    @Override
                    public void onParametersUpdated(long update, float[] params) {
                        updates.incrementAndGet();
                    }
                });
        assertThat(rs.get(0).startIteration()).isEqualTo(30);
        assertThat(rs.get(0).iterations()).isEqualTo(60);
        assertThat(updates.get()).as("one update per new gradient, on each of 2 ranks").isEqualTo(2 * 30);
        assertThat(rs.get(1).paramsSha256()).isEqualTo(rs.get(0).paramsSha256());
    }

    @Test
    void incompatibleOrCorruptCheckpointsAreRefusedOnEveryRank() throws IOException {
        Path dir = tmp.resolve("ckpt");
        TrainConfig cfg = config(2, 2, "none").checkpointDir(dir).checkpointEvery(20).build();
        train(cfg, TrainingListener.NONE);
        assertThatThrownBy(() -> train(cfg.toBuilder().option(PipeSgdTrainer.WIDTH, 3).resume(true).build(),
                TrainingListener.NONE))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("was written with width 2")
                .hasMessageContaining("this run has 3");
        assertThatThrownBy(() -> train(cfg.toBuilder().hidden(9).resume(true).build(), TrainingListener.NONE))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("model");
        Path newest = dir.resolve("checkpoint-000000000060.ckpt");
        byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(newest, bytes);
        assertThatThrownBy(() -> train(cfg.toBuilder().resume(true).build(), TrainingListener.NONE))
                .isInstanceOf(CheckpointException.class).hasMessageContaining(newest.toString())
                .hasMessageContaining("corrupt");
    }
}

package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a resume refuses and what a checkpointing run cleans up: changed optimizer settings or epochs (unless
 * overridden), a shared file renamed to another iteration, a rank's own file that it cannot read (every rank then
 * reports that rank's reason), and temporary files of interrupted writes.
 */
@Timeout(120)
class ResumeChecksTest {
    @TempDir
    Path tmp;

    /** 2 ranks, 30 iterations per epoch, a checkpoint every 20. */
    private TrainConfig.Builder checkpointed(Path dir) {
        return ResumeRuns.config(2, 2, "none", "cpu").checkpointDir(dir).checkpointEvery(20);
    }

    private static List<TrainResult> train(TrainConfig cfg) {
        return ResumeRuns.train(cfg, TrainingListener.NONE);
    }

    @Test
    void changedOptimizerSettingsOrEpochsNeedAnExplicitOverride() {
        Path dir = tmp.resolve("ckpt");
        TrainConfig first = checkpointed(dir).maxIterations(40).build();
        train(first);
        TrainConfig.Builder resume = first.toBuilder().maxIterations(0).resume(true);
        assertThatThrownBy(() -> train(resume.lr(0.2).build())).isInstanceOf(CheckpointException.class)
                .hasMessageContaining("was written with --lr 0.05, this run has --lr 0.2")
                .hasMessageContaining("--resume-override");
        assertThatThrownBy(() -> train(first.toBuilder().maxIterations(0).resume(true).momentum(0.5).build()))
                .hasMessageContaining("--momentum");
        assertThatThrownBy(() -> train(first.toBuilder().maxIterations(0).resume(true).weightDecay(0).build()))
                .hasMessageContaining("--weight-decay");
        assertThatThrownBy(() -> train(first.toBuilder().maxIterations(0).resume(true).schedule("constant").build()))
                .hasMessageContaining("--schedule");
        assertThatThrownBy(() -> train(first.toBuilder().maxIterations(0).resume(true).epochs(3).build()))
                .hasMessageContaining("--epochs");
        TrainConfig changed = first.toBuilder().maxIterations(0).resume(true).resumeOverride(true).lr(0.01).epochs(3)
                .build();
        TrainResult overridden = train(changed).get(0);
        assertThat(overridden.startIteration()).isEqualTo(40);
        assertThat(overridden.iterations()).isEqualTo(90);
        // Its checkpoints carry the new settings: resuming with them needs no override.
        assertThat(train(changed.toBuilder().resumeOverride(false).build()).get(0).startIteration()).isEqualTo(90);
    }

    @Test
    void aSharedFileRenamedToAnotherIterationIsRefused() throws IOException {
        Path dir = tmp.resolve("ckpt");
        train(checkpointed(dir).maxIterations(20).build());
        // Iteration 20's files presented as iteration 40's: the names say 40, the contents 20.
        Path renamed = dir.resolve("checkpoint-000000000040.ckpt");
        Files.copy(dir.resolve("checkpoint-000000000020.ckpt"), renamed);
        for (int r = 0; r < 2; r++) {
            Files.copy(dir.resolve("checkpoint-000000000020.rank-" + r + ".ckpt"),
                    dir.resolve("checkpoint-000000000040.rank-" + r + ".ckpt"));
        }
        assertThatThrownBy(() -> train(checkpointed(dir).resume(true).build()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining(renamed.toString())
                .hasMessageContaining("holds the state after iteration 20 but its name says 40");
    }

    @Test
    void theReasonOfTheRankThatCannotReadItsStateReachesEveryRank() throws IOException {
        Path dir = tmp.resolve("ckpt");
        train(checkpointed(dir).maxIterations(20).build());
        Path rankFile = dir.resolve("checkpoint-000000000020.rank-1.ckpt");
        byte[] bytes = Files.readAllBytes(rankFile);
        bytes[bytes.length / 2] ^= 0x40;
        Files.write(rankFile, bytes);
        // Rank 0's exception is the one a local run reports: it must carry rank 1's reason.
        assertThatThrownBy(() -> train(checkpointed(dir).resume(true).build()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("rank 1: ")
                .hasMessageContaining(rankFile.toString()).hasMessageContaining("corrupt")
                .hasMessageNotContaining("see its error");
    }

    @Test
    void temporaryFilesOfInterruptedWritesAreRemovedAtStart() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("ckpt"));
        Path shared = Files.writeString(dir.resolve(".checkpoint-000000000007.ckpt.4711.tmp"), "half");
        Path rank1 = Files.writeString(dir.resolve(".checkpoint-000000000007.rank-1.ckpt.815.tmp"), "half");
        Path other = Files.writeString(dir.resolve("notes.tmp"), "not ours");
        train(checkpointed(dir).maxIterations(10).build());
        assertThat(shared).doesNotExist();
        assertThat(rank1).doesNotExist();
        assertThat(other).exists();
    }
}

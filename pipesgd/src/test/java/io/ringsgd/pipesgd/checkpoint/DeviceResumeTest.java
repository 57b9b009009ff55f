package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
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
 * On the device path ({@code --device host-device}) checkpoints download the parameters, momentum and in-flight
 * gradients from device memory and a resume uploads them: a run killed mid-way and resumed ends bit-identical to an
 * uninterrupted one, on every rank.
 */
@Timeout(120)
class DeviceResumeTest {
    private static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    @TempDir
    Path tmp;

    private static TrainConfig.Builder config(int workers, int width, String compression) {
        return TrainConfig.builder().trainer("pipe").width(width).workers(workers).data(DATA).model("mlp").hidden(8)
                .epochs(2).batch(10).lr(0.05).momentum(0.9).nesterov(true).weightDecay(1e-3).warmupEpochs(0.2)
                .compression(compression).seed(23).device("host-device");
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg,
                listener));
    }

    /** Every rank throws at iteration {@code at}, as if the job were killed (with a device AllReduce in flight). */
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

    private void resumeIsExact(int workers, int width, String compression, long syncWarmup, long crashAt,
            long expectedStart) {
        TrainConfig.Builder b = config(workers, width, compression).syncWarmup(syncWarmup).checkpointEvery(7);
        String reference = train(config(workers, width, compression).syncWarmup(syncWarmup).build(),
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
            assertThat(r.device()).startsWith("host");
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(uninterrupted.paramsSha256());
        }
    }

    @Test
    void widePipelineWithWarmupResumesExactly() {
        // Width 3: two gradients in flight at each checkpoint, downloaded from their device slots and uploaded back.
        resumeIsExact(3, 3, "none", 5, 30, 28);
    }

    @Test
    void compressedPipelineResumesExactly() {
        // Width 2 with int8 and error feedback: the residual is host state of each rank, the slot device state.
        resumeIsExact(2, 2, "int8", 0, 17, 14);
    }

    @Test
    void aDeviceCheckpointResumesOnTheCpuAndBack() {
        // The checkpoint format does not depend on where the state lived: a device run can continue on the CPU.
        Path dir = tmp.resolve("portable");
        TrainConfig dev = config(2, 2, "none").checkpointDir(dir).checkpointEvery(10).maxIterations(30).build();
        train(dev, TrainingListener.NONE);
        TrainResult cpu = train(dev.toBuilder().device("cpu").maxIterations(0).resume(true).build(),
                TrainingListener.NONE).get(0);
        assertThat(cpu.startIteration()).isEqualTo(30);
        assertThat(cpu.device()).isEqualTo("cpu");
        assertThat(cpu.finalTestAccuracy()).isGreaterThan(0.6);
    }
}

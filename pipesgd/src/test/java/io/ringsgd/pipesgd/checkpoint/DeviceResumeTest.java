package io.ringsgd.pipesgd.checkpoint;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
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
    @TempDir
    Path tmp;

    private static TrainConfig.Builder config(int workers, int width, String compression) {
        return ResumeRuns.config(workers, width, compression, "host-device");
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return ResumeRuns.train(cfg, listener);
    }

    /** As on the CPU, with a device AllReduce in flight at the crash. */
    private void resumeIsExact(int workers, int width, String compression, long syncWarmup, long crashAt,
            long expectedStart) {
        for (TrainResult r : ResumeRuns.resumeIsExact(tmp, "host-device", workers, width, compression, syncWarmup,
                crashAt, expectedStart)) {
            assertThat(r.device()).startsWith("host");
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

package io.ringsgd.pipesgd.pipe;

import static io.ringsgd.gpu.FloatArrays.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.gpu.CudaDevice;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.gpu.Devices;
import io.ringsgd.gpu.RequiresCuda;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.DevicePass;
import io.ringsgd.pipesgd.model.Mlp;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pipe-SGD with {@code --device cuda}: runs where a CUDA device works and is skipped, with the reason printed, where
 * none does. cuBLAS sums in its own order (and may pick another algorithm per shape), so the CPU comparison allows
 * 1e-4; replicas must still be bit-identical, since every rank runs the same kernels on the same inputs.
 */
@Timeout(180)
@ExtendWith(RequiresCuda.class)
class PipeSgdCudaTest {

    @Test
    void trainsOnTheGpuWithBitIdenticalReplicasCloseToTheCpu() {
        TrainConfig cuda = PipeSgdTest.small(2).option(PipeSgdTrainer.WIDTH, 2).device("cuda").build();
        List<List<String>> d = PipeSgdTest.digestsPerUpdate(cuda);
        assertThat(d.get(1)).containsExactlyElementsOf(d.get(0));
        TrainResult a = PipeSgdTest.train(cuda).get(0);
        TrainResult b = PipeSgdTest.train(cuda.toBuilder().device("cpu").build()).get(0);
        assertThat(a.device()).startsWith("cuda:");
        assertThat(maxAbsDiff(a.parameters(), b.parameters())).isLessThan(1e-4);
        assertThat(a.finalTestAccuracy()).isGreaterThan(0.6);
    }

    @Test
    void cublasGradientMatchesTheCpuModelOnTheFashionMnistShape() {
        gradientMatchesTheCpuModel(new Mlp(784, new int[] {256, 128}, 10));
    }

    @Test
    void cudaConvNetGradientMatchesTheCpuModelOnTheFashionMnistShape() {
        // cuBLAS sgemm and the im2col, col2im and pooling kernels against the CPU model (netlib BLAS, double softmax).
        gradientMatchesTheCpuModel(Models.factory("cnn", new int[0]).create(784, 10));
    }

    /** The device pass's loss and gradient of 32 random Fashion-MNIST-shaped samples on CUDA, against the CPU. */
    private static void gradientMatchesTheCpuModel(Model cpu) {
        int p = cpu.parameterCount();
        float[] w = new float[p];
        cpu.initialize(w, 5);
        Batch batch = new Batch(32, 784);
        batch.resize(32);
        SplittableRandom r = new SplittableRandom(6);
        for (int i = 0; i < 32 * 784; i++) {
            batch.features()[i] = (float) r.nextDouble();
        }
        for (int i = 0; i < 32; i++) {
            batch.labels()[i] = i % 10;
        }
        float[] g = new float[p];
        double loss = cpu.lossAndGradient(w, batch, g);
        try (CudaDevice dev = Devices.cuda(0); DeviceStream s = dev.createStream();
                DevicePass net = DevicePass.create(cpu, dev, s); DeviceBuffer bw = dev.upload(w);
                DeviceBuffer bg = dev.allocate(p)) {
            double l = net.lossAndGradient(bw, batch, bg);
            float[] gd = dev.download(bg);
            double max = 0;
            double diff = 0;
            for (int i = 0; i < p; i++) {
                max = Math.max(max, Math.abs(g[i]));
                diff = Math.max(diff, Math.abs(g[i] - gd[i]));
            }
            assertThat(Math.abs(l - loss)).isLessThan(1e-4 * loss);
            assertThat(diff).isLessThan(1e-4 * max);
        }
    }
}

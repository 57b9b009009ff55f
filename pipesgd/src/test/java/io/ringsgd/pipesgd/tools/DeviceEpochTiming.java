package io.ringsgd.pipesgd.tools;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.Devices;
import io.ringsgd.gpu.HostDevice;
import io.ringsgd.pipesgd.compute.ComputeBackend;
import io.ringsgd.pipesgd.compute.ModelVector;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.ShardSampler;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.model.Mlp;
import io.ringsgd.pipesgd.model.RowMajor;
import io.ringsgd.pipesgd.optim.SgdMomentum;

/**
 * Times training epochs of the 784-256-128-10 MLP on Fashion-MNIST on one rank through each compute backend (batch
 * loading, forward, backward, SGD step; no communication): {@code DeviceEpochTiming [batch] [epochs] [backends]}, with
 * backends a comma-separated list of cpu, host-device, cuda (default cpu,host-device). Run it pinned to one core
 * ({@code taskset -c 0}) for the one-core comparison. A measurement for reports, not a test.
 */
public final class DeviceEpochTiming {
    private DeviceEpochTiming() {
    }

    public static void main(String[] args) {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String[] backends = (args.length > 2 ? args[2] : "cpu,host-device").split(",");
        TrainTestData data = DataSets.load(DataSpec.fashionMnist());
        Mlp mlp = new Mlp(784, new int[] {256, 128}, 10);
        int perEpoch = data.train().size() / batchSize;
        System.out.printf("%s, %d train samples (%s), batch %d, %d iterations per epoch, BLAS %s, %d cores%n",
                mlp.describe(), data.train().size(), data.description(), batchSize, perEpoch, RowMajor.blasName(),
                Runtime.getRuntime().availableProcessors());
        for (String name : backends) {
            float[] w = new float[mlp.parameterCount()];
            mlp.initialize(w, 1);
            ComputeBackend b;
            switch (name.trim()) {
                case "cpu":
                    b = ComputeBackend.host(mlp, w, new SgdMomentum(w.length, 0.8, false, 1e-4));
                    break;
                case "host-device":
                    b = ComputeBackend.device(HostDevice.asynchronous(), true, mlp, w, 0.8, false, 1e-4);
                    break;
                case "cuda":
                    Device d = Devices.cuda(0);
                    b = ComputeBackend.device(d, true, mlp, w, 0.8, false, 1e-4);
                    break;
                default:
                    throw new IllegalArgumentException("unknown backend " + name + ": use cpu, host-device or cuda");
            }
            try (b) {
                ModelVector g = b.newVector();
                ShardSampler sampler = new ShardSampler(Shard.of(data.train(), 0, 1), 1);
                Batch batch = new Batch(batchSize, 784);
                for (int e = 0; e < epochs; e++) {
                    long t0 = System.nanoTime();
                    double loss = 0;
                    for (int i = 0; i < perEpoch; i++) {
                        sampler.fill((long) e * perEpoch + i, perEpoch, batchSize, batch);
                        loss += b.lossAndGradient(b.parameters(), batch, g);
                        b.step(g, 0.05);
                    }
                    double s = (System.nanoTime() - t0) / 1e9;
                    System.out.printf("%-12s epoch %d: %.2f s (%.3f ms/iteration), mean loss %.4f%n", name, e + 1, s,
                            s * 1000 / perEpoch, loss / perEpoch);
                }
            }
        }
    }
}

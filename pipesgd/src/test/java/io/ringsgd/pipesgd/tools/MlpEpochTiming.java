package io.ringsgd.pipesgd.tools;

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
 * Times epochs of the 784-256-128-10 MLP on Fashion-MNIST on one thread (batch loading, forward, backward, SGD
 * update). A measurement for reports, not a test: {@code MlpEpochTiming [batch] [epochs]}.
 */
public final class MlpEpochTiming {
    private MlpEpochTiming() {
    }

    public static void main(String[] args) {
        int batchSize = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int epochs = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        TrainTestData data = DataSets.load(DataSpec.fashionMnist());
        Mlp mlp = new Mlp(784, new int[] {256, 128}, 10);
        float[] w = new float[mlp.parameterCount()];
        float[] g = new float[w.length];
        mlp.initialize(w, 1);
        SgdMomentum opt = new SgdMomentum(w.length, 0.9, false, 1e-4);
        ShardSampler sampler = new ShardSampler(Shard.of(data.train(), 0, 1), 1);
        Batch batch = new Batch(batchSize, 784);
        int perEpoch = data.train().size() / batchSize;
        System.out.printf("BLAS %s, %s, batch %d, %d iterations per epoch%n", RowMajor.blasName(), mlp.describe(),
                batchSize, perEpoch);
        for (int e = 0; e < epochs; e++) {
            long t0 = System.nanoTime();
            double loss = 0;
            for (int b = 0; b < perEpoch; b++) {
                sampler.fill((long) e * perEpoch + b, perEpoch, batchSize, batch);
                loss += mlp.lossAndGradient(w, batch, g);
                opt.step(w, g, 0.05);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            long t1 = System.nanoTime();
            double acc = mlp.evaluate(w, data.test()).accuracy();
            double es = (System.nanoTime() - t1) / 1e9;
            System.out.printf("epoch %d: %.2f s (%.3f ms/iteration), mean loss %.4f, test accuracy %.4f "
                    + "(evaluation %.2f s)%n", e + 1, s, s * 1000 / perEpoch, loss / perEpoch, acc, es);
        }
    }
}

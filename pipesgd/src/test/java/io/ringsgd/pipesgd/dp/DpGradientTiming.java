package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.model.Mlp;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.model.PerSampleGradients;
import io.ringsgd.pipesgd.model.RowMajor;

/**
 * Times one thread's gradient of a Fashion-MNIST batch with and without DP's per-sample weighting: the MLP's batch
 * gradient against its per-sample weighted sum from the error signals, and the CNN's batch gradient against the
 * per-sample loop it takes. Rounds alternate, the first two are warm-up. A measurement for reports, not a test:
 * {@code DpGradientTiming [batch] [rounds]}.
 */
public final class DpGradientTiming {
    private DpGradientTiming() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 12;
        Dataset data = DataSets.load(DataSpec.fashionMnist()).train();
        Batch batch = new Batch(n, data.featureCount());
        batch.resize(n);
        for (int i = 0; i < n; i++) {
            batch.set(i, data, i * 7);
        }
        SampleWeighting psac = new PsacWeighting(1, PsacWeighting.DEFAULT_R);
        System.out.printf("BLAS %s, batch %d, one thread%n", RowMajor.blasName(), n);
        for (Model m : new Model[] {new Mlp(784, new int[] {256, 128}, 10),
            Models.factory("cnn", new int[0]).create(784, 10)}) {
            float[] p = new float[m.parameterCount()];
            m.initialize(p, 1);
            float[] g = new float[p.length];
            PerSampleLoop loop = new PerSampleLoop(m);
            int reps = m instanceof PerSampleGradients ? 20 : 2;
            long plain = 0;
            long weighted = 0;
            long counted = 0;
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int k = 0; k < reps; k++) {
                    m.lossAndGradient(p, batch, g);
                }
                long t1 = System.nanoTime();
                for (int k = 0; k < reps; k++) {
                    if (m instanceof PerSampleGradients d) {
                        d.weightedGradientSum(p, batch, psac, g);
                    } else {
                        loop.weightedGradientSum(p, batch, psac, g);
                    }
                }
                long t2 = System.nanoTime();
                if (r >= 2) {
                    plain += t1 - t0;
                    weighted += t2 - t1;
                    counted += reps;
                }
            }
            System.out.printf("%s: batch gradient %.2f ms, per-sample weighted (%s) %.2f ms, ratio %.2f%n",
                    m.describe(), plain / 1e6 / counted, m instanceof PerSampleGradients ? "from error signals"
                            : "one sample at a time", weighted / 1e6 / counted, (double) weighted / plain);
        }
    }
}

package io.ringsgd.pipesgd.dp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.data.Shard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The noise shares of the ranks sum to the noise of one step, and Poisson batches are what the accountant assumes. */
@Timeout(30)
class NoiseAndSamplingTest {

    @Test
    void theRanksSharesSumToNoiseOfStandardDeviationSigmaTimesC() {
        int ranks = 4;
        double sigma = 0.75;
        double clip = 2.0;
        int n = 400_000;
        float[] sum = new float[n];
        for (int r = 0; r < ranks; r++) {
            new GaussianNoise(9, r, ranks, sigma, clip).add(sum, 17);
        }
        double mean = 0;
        double sq = 0;
        for (float v : sum) {
            mean += v;
            sq += (double) v * v;
        }
        mean /= n;
        double std = Math.sqrt(sq / n - mean * mean);
        // The standard error of a standard deviation estimated from n draws is std / sqrt(2n), 0.11 % here.
        assertThat(std).isCloseTo(sigma * clip, within(0.006 * sigma * clip));
        assertThat(mean).isCloseTo(0, within(0.01));
    }

    @Test
    void ranksAndStepsDrawIndependentlyAndTheSameStepDrawsTheSame() {
        float[] a = new float[1000];
        float[] b = new float[1000];
        float[] c = new float[1000];
        float[] again = new float[1000];
        new GaussianNoise(9, 0, 2, 1, 1).add(a, 5);
        new GaussianNoise(9, 1, 2, 1, 1).add(b, 5);
        new GaussianNoise(9, 0, 2, 1, 1).add(c, 6);
        new GaussianNoise(9, 0, 2, 1, 1).add(again, 5);
        assertThat(again).containsExactly(a);
        assertThat(correlation(a, b)).isLessThan(0.15);
        assertThat(correlation(a, c)).isLessThan(0.15);
    }

    @Test
    void poissonBatchesHaveTheExpectedSizeComeFromTheShardAndRepeatPerStep() {
        Dataset train = DataSets.load(DataSpec.synthetic(3000, 10, 4, 3, 0.1, 1)).train();
        Shard shard = Shard.of(train, 1, 3);
        double q = 0.02;
        PoissonSampler s = new PoissonSampler(shard, q, 7);
        Batch b = new Batch(1, 4);
        long total = 0;
        int steps = 2000;
        for (int t = 0; t < steps; t++) {
            total += s.fill(t, b);
        }
        // Mean batch q * 1000 = 20; the mean of 2000 Poisson-binomial sizes has standard error 0.1.
        assertThat((double) total / steps).isCloseTo(q * shard.size(), within(0.5));
        int n = s.fill(123, b);
        float[] first = java.util.Arrays.copyOf(b.features(), n * 4);
        assertThat(new PoissonSampler(shard, q, 7).fill(123, b)).isEqualTo(n);
        assertThat(java.util.Arrays.copyOf(b.features(), n * 4)).containsExactly(first);
        java.util.Set<String> shardRows = new java.util.HashSet<>();
        float[] row = new float[4];
        for (int k = 0; k < shard.size(); k++) {
            train.copyFeatures(shard.index(k), row, 0);
            shardRows.add(java.util.Arrays.toString(row) + train.label(shard.index(k)));
        }
        for (int i = 0; i < n; i++) {
            String sampled = java.util.Arrays.toString(java.util.Arrays.copyOfRange(b.features(), 4 * i, 4 * i + 4))
                    + b.labels()[i];
            assertThat(shardRows).as("sample %d of the batch", i).contains(sampled);
        }
    }

    private static double correlation(float[] x, float[] y) {
        double xy = 0;
        double xx = 0;
        double yy = 0;
        for (int i = 0; i < x.length; i++) {
            xy += x[i] * y[i];
            xx += x[i] * x[i];
            yy += y[i] * y[i];
        }
        return Math.abs(xy / Math.sqrt(xx * yy));
    }
}

package io.ringsgd.pipesgd.data;

import java.util.SplittableRandom;

/**
 * Generated classification data for smoke runs and tests: Gaussian clusters around one random center per class,
 * stored as bytes like image data. Fully determined by the {@link DataSpec}'s shape and data seed.
 */
public final class SyntheticData {
    private SyntheticData() {
    }

    /** Generates the training and test sets of a {@link DataSpec.Kind#SYNTHETIC} spec. */
    public static TrainTestData generate(DataSpec spec) {
        if (spec.kind() != DataSpec.Kind.SYNTHETIC) {
            throw new IllegalArgumentException("not a synthetic data spec: " + spec);
        }
        int d = spec.features();
        int k = spec.classes();
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(spec.dataSeed(), 0x5EED, 0));
        float[] centers = new float[k * d];
        for (int i = 0; i < centers.length; i++) {
            centers[i] = (float) (0.25 + 0.5 * rnd.nextDouble());
        }
        Dataset train = sample("synthetic train", spec.trainSamples(), centers, d, k, spec.noise(), rnd);
        Dataset test = sample("synthetic test", spec.testSamples(), centers, d, k, spec.noise(), rnd);
        return new TrainTestData(train, test, "synthetic Gaussian clusters (" + train.size() + " train, " + test.size()
                + " test samples, " + d + " features, " + k + " classes, noise " + spec.noise() + ", seed "
                + spec.dataSeed() + ")", false);
    }

    private static Dataset sample(String name, int n, float[] centers, int d, int k, double noise,
            SplittableRandom rnd) {
        byte[] x = new byte[n * d];
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            int c = rnd.nextInt(k);
            y[i] = (byte) c;
            for (int j = 0; j < d; j++) {
                double v = centers[c * d + j] + noise * rnd.nextGaussian();
                v = Math.max(0.0, Math.min(1.0, v));
                x[i * d + j] = (byte) Math.round(v * 255.0);
            }
        }
        return new Dataset(name, x, y, d, k);
    }
}

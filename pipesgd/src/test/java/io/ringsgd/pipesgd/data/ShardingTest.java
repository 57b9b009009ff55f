package io.ringsgd.pipesgd.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Shards are disjoint, cover the data and differ by at most one; shuffles depend on (seed, epoch, rank) only. */
@Timeout(30)
class ShardingTest {

    private static Dataset data(int n, int features) {
        byte[] x = new byte[n * features];
        byte[] y = new byte[n];
        for (int i = 0; i < n; i++) {
            y[i] = (byte) (i % 3);
            for (int j = 0; j < features; j++) {
                x[i * features + j] = (byte) (i + j);
            }
        }
        return new Dataset("d", x, y, features, 3);
    }

    @Test
    void shardsAreDisjointCoveringAndBalanced() {
        for (int n : new int[] {1, 7, 60, 61, 1000, 1003}) {
            for (int p = 1; p <= Math.min(n, 9); p++) {
                Dataset d = data(n, 1);
                Set<Integer> seen = new HashSet<>();
                int min = Integer.MAX_VALUE;
                int max = 0;
                for (int r = 0; r < p; r++) {
                    Shard s = Shard.of(d, r, p);
                    min = Math.min(min, s.size());
                    max = Math.max(max, s.size());
                    for (int k = 0; k < s.size(); k++) {
                        assertThat(seen.add(s.index(k))).as("index %d twice (n=%d p=%d)", s.index(k), n, p).isTrue();
                        assertThat(s.index(k)).isBetween(0, n - 1);
                    }
                }
                assertThat(seen).hasSize(n);
                assertThat(max - min).isLessThanOrEqualTo(1);
                assertThat(min).isEqualTo(Shard.smallestSize(n, p));
            }
        }
    }

    @Test
    void moreWorkersThanSamplesIsRejected() {
        assertThatThrownBy(() -> Shard.of(data(3, 1), 0, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4 workers").hasMessageContaining("only 3 samples");
    }

    @Test
    void shuffleIsAPermutationDeterminedBySeedEpochAndRank() {
        Dataset d = data(1000, 2);
        Shard s = Shard.of(d, 1, 3);
        ShardSampler a = new ShardSampler(s, 42);
        ShardSampler b = new ShardSampler(s, 42);
        a.beginEpoch(5);
        b.beginEpoch(0);
        b.beginEpoch(5); // what ran before does not matter
        int[] orderA = order(a);
        assertThat(order(b)).containsExactly(orderA);
        int[] sorted = orderA.clone();
        Arrays.sort(sorted);
        int[] shardIndices = new int[s.size()];
        for (int k = 0; k < s.size(); k++) {
            shardIndices[k] = s.index(k);
        }
        assertThat(sorted).containsExactly(shardIndices);
        assertThat(orderA).isNotEqualTo(shardIndices);
        b.beginEpoch(6);
        assertThat(order(b)).isNotEqualTo(orderA);
        ShardSampler otherSeed = new ShardSampler(s, 43);
        otherSeed.beginEpoch(5);
        assertThat(order(otherSeed)).isNotEqualTo(orderA);
        ShardSampler otherRank = new ShardSampler(Shard.of(d, 2, 3), 42);
        otherRank.beginEpoch(5);
        int[] o = order(otherRank);
        for (int k = 0; k < Math.min(o.length, orderA.length); k++) {
            assertThat(o[k] % 3).isEqualTo(2);
        }
    }

    @Test
    void batchesFollowTheEpochOrderAndScalePixels() {
        Dataset d = data(100, 3);
        ShardSampler s = new ShardSampler(Shard.of(d, 0, 2), 9);
        Batch batch = new Batch(4, 3);
        int perEpoch = 50 / 4; // 12 batches, 2 samples left out per epoch
        s.fill(perEpoch + 2, perEpoch, 4, batch); // epoch 1, batch 2
        assertThat(s.epoch()).isEqualTo(1);
        ShardSampler ref = new ShardSampler(Shard.of(d, 0, 2), 9);
        ref.beginEpoch(1);
        for (int i = 0; i < 4; i++) {
            int idx = ref.sampleAt(8 + i);
            assertThat(batch.labels()[i]).isEqualTo(d.label(idx));
            for (int j = 0; j < 3; j++) {
                assertThat(batch.features()[i * 3 + j]).isEqualTo(d.featureByte(idx, j) / 255f);
            }
        }
        // One epoch uses distinct samples.
        Set<Integer> seen = new HashSet<>();
        for (int b = 0; b < perEpoch; b++) {
            s.fill(b, perEpoch, 4, batch);
            for (int i = 0; i < 4; i++) {
                seen.add(s.sampleAt(b * 4 + i));
            }
        }
        assertThat(seen).hasSize(perEpoch * 4);
    }

    @Test
    void syntheticDataIsSeededAndSeparable() {
        DataSpec spec = DataSpec.synthetic(500, 100, 8, 3, 0.05, 11);
        TrainTestData a = SyntheticData.generate(spec);
        TrainTestData b = SyntheticData.generate(DataSpec.parse(spec.toString()));
        assertThat(DataSpec.parse(spec.toString())).isEqualTo(spec);
        for (int i = 0; i < 500; i++) {
            assertThat(a.train().label(i)).isEqualTo(b.train().label(i));
            assertThat(a.train().featureByte(i, 7)).isEqualTo(b.train().featureByte(i, 7));
        }
        TrainTestData c = SyntheticData.generate(DataSpec.synthetic(500, 100, 8, 3, 0.05, 12));
        int same = 0;
        for (int i = 0; i < 500; i++) {
            same += a.train().featureByte(i, 0) == c.train().featureByte(i, 0) ? 1 : 0;
        }
        assertThat(same).isLessThan(100);
        int[] counts = new int[3];
        for (int i = 0; i < 500; i++) {
            counts[a.train().label(i)]++;
        }
        for (int k : counts) {
            assertThat(k).isGreaterThan(100);
        }
        assertThat(a.description()).contains("synthetic");
    }

    @Test
    void dataSpecParsesEveryForm() {
        assertThat(DataSpec.parse("fashion-mnist").kind()).isEqualTo(DataSpec.Kind.FASHION_MNIST);
        assertThat(DataSpec.parse("embedded").kind()).isEqualTo(DataSpec.Kind.EMBEDDED);
        assertThat(DataSpec.parse("synthetic").kind()).isEqualTo(DataSpec.Kind.SYNTHETIC);
        DataSpec s = DataSpec.parse("synthetic:train=100,classes=5,features=3");
        assertThat(s.trainSamples()).isEqualTo(100);
        assertThat(s.classes()).isEqualTo(5);
        assertThat(DataSpec.parse("/tmp/x").kind()).isEqualTo(DataSpec.Kind.DIRECTORY);
        assertThatThrownBy(() -> DataSpec.parse("synthetic:bogus=1")).hasMessageContaining("unknown synthetic");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:train=x")).hasMessageContaining("not a number");
        assertThatThrownBy(() -> DataSpec.parse("synthetic:classes=1")).hasMessageContaining("classes");
    }

    @Test
    void loadedDataIsSharedPerJvm() {
        DataSpec spec = DataSpec.synthetic(50, 10, 2, 2, 0.1, 99);
        assertThat(DataSets.load(spec)).isSameAs(DataSets.load(DataSpec.synthetic(50, 10, 2, 2, 0.1, 99)));
    }

    private static int[] order(ShardSampler s) {
        int[] o = new int[s.shard().size()];
        for (int k = 0; k < o.length; k++) {
            o[k] = s.sampleAt(k);
        }
        return o;
    }
}

package io.ringsgd.pipesgd.data;

import java.util.SplittableRandom;

/**
 * Draws a rank's mini-batches: each epoch the shard is shuffled with a seed derived from (seed, epoch, rank) alone, so
 * iteration t always sees the same samples whether or not the run was interrupted and resumed; samples are copied into
 * a reused {@link Batch}. One sampler per worker thread.
 */
public final class ShardSampler {
    private final Shard shard;
    private final long seed;
    private final int[] order;
    private int epoch = -1;

    /**
     * A sampler of {@code shard}, with the job's seed.
     *
     * @param shard the rank's shard
     * @param seed  the job's seed ({@code --seed})
     */
    public ShardSampler(Shard shard, long seed) {
        this.shard = shard;
        this.seed = seed;
        this.order = new int[shard.size()];
    }

    /**
     * The shard sampled.
     *
     * @return the shard
     */
    public Shard shard() {
        return shard;
    }

    /** Shuffles the shard for {@code epoch} (a Fisher–Yates permutation from the derived seed). */
    public void beginEpoch(int epoch) {
        if (epoch < 0) {
            throw new IllegalArgumentException("epoch must not be negative, got " + epoch);
        }
        for (int k = 0; k < order.length; k++) {
            order[k] = k;
        }
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed, epoch, shard.rank()));
        for (int k = order.length - 1; k > 0; k--) {
            int j = rnd.nextInt(k + 1);
            int tmp = order[k];
            order[k] = order[j];
            order[j] = tmp;
        }
        this.epoch = epoch;
    }

    /** The epoch currently shuffled for, or -1 before the first. */
    public int epoch() {
        return epoch;
    }

    /** Data-set index of the {@code position}-th sample of the current epoch. */
    public int sampleAt(int position) {
        return shard.index(order[position]);
    }

    /**
     * Fills {@code batch} with the samples of global iteration {@code iteration}, where every epoch has
     * {@code batchesPerEpoch} batches of {@code batchSize} (the tail of a larger shard is left out of that epoch).
     */
    public void fill(long iteration, int batchesPerEpoch, int batchSize, Batch batch) {
        if (batchesPerEpoch < 1 || (long) batchesPerEpoch * batchSize > order.length) {
            throw new IllegalArgumentException(batchesPerEpoch + " batches of " + batchSize
                    + " do not fit a shard of " + order.length + " samples");
        }
        int e = Math.toIntExact(iteration / batchesPerEpoch);
        int b = (int) (iteration % batchesPerEpoch);
        if (e != epoch) {
            beginEpoch(e);
        }
        batch.resize(batchSize);
        Dataset data = shard.data();
        int base = b * batchSize;
        for (int i = 0; i < batchSize; i++) {
            batch.set(i, data, sampleAt(base + i));
        }
    }
}

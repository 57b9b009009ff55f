package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Seeds;
import io.ringsgd.pipesgd.data.Shard;
import java.util.SplittableRandom;

/**
 * Poisson sampling of a rank's shard, as the privacy accountant assumes: at every step each sample of the shard joins
 * the batch independently with probability q, so batch sizes vary around q × shard size. The draws of step t on rank
 * r come from a generator seeded by (job seed, t, r) alone, so a resumed run draws the same batches.
 */
public final class PoissonSampler {
    /** Keeps these draws apart from every other use of (seed, t, r). */
    private static final long SALT = 0x5D1E_7A3B_C0FF_EE01L;

    private final Shard shard;
    private final double q;
    private final long seed;
    private int[] picked = new int[0];

    /**
     * A sampler of {@code shard} with rate {@code q}.
     *
     * @param shard the rank's shard
     * @param q     the probability that a sample joins a batch, in (0, 1]
     * @param seed  the job seed
     */
    public PoissonSampler(Shard shard, double q, long seed) {
        if (!(q > 0 && q <= 1)) {
            throw new IllegalArgumentException("sampling rate must be in (0, 1], got " + q);
        }
        this.shard = shard;
        this.q = q;
        this.seed = seed;
    }

    /** Fills {@code batch} with the samples of step {@code step} (growing it if needed); returns how many. */
    public int fill(long step, Batch batch) {
        SplittableRandom rnd = new SplittableRandom(Seeds.derive(seed ^ SALT, step, shard.rank()));
        if (picked.length < shard.size()) {
            picked = new int[shard.size()];
        }
        int n = 0;
        for (int j = 0; j < shard.size(); j++) {
            if (rnd.nextDouble() < q) {
                picked[n++] = j;
            }
        }
        batch.resize(n);
        for (int i = 0; i < n; i++) {
            batch.set(i, shard.data(), shard.index(picked[i]));
        }
        return n;
    }
}

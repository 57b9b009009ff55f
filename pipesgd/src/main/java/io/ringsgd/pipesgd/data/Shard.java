package io.ringsgd.pipesgd.data;

/**
 * The part of a data set that one rank trains on: samples {@code rank, rank + P, rank + 2P, …} of a group of P ranks.
 * Shards of one group are disjoint, cover the data set, and differ in size by at most one; striding (rather than
 * cutting blocks) keeps every shard's class mix close to the whole set's even if the file is sorted by class.
 */
public final class Shard {
    private final Dataset data;
    private final int rank;
    private final int worldSize;
    private final int size;

    private Shard(Dataset data, int rank, int worldSize) {
        this.data = data;
        this.rank = rank;
        this.worldSize = worldSize;
        this.size = sizeOf(data.size(), rank, worldSize);
    }

    /** Rank {@code rank}'s shard of {@code data} in a group of {@code worldSize} ranks. */
    public static Shard of(Dataset data, int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " is not in a group of " + worldSize + " ranks");
        }
        if (worldSize > data.size()) {
            throw new IllegalArgumentException(worldSize + " workers but " + data.name() + " has only "
                    + data.size() + " samples: use at most " + data.size() + " workers or a larger data set");
        }
        return new Shard(data, rank, worldSize);
    }

    /** Size of rank {@code rank}'s shard of {@code n} samples over {@code worldSize} ranks. */
    public static int sizeOf(int n, int rank, int worldSize) {
        return n / worldSize + (rank < n % worldSize ? 1 : 0);
    }

    /** Size of the smallest shard: every rank can run this many samples per epoch. */
    public static int smallestSize(int n, int worldSize) {
        return n / worldSize;
    }

    /**
     * The whole data set this shard is part of.
     *
     * @return the data set
     */
    public Dataset data() {
        return data;
    }

    /**
     * The rank this shard belongs to.
     *
     * @return the rank
     */
    public int rank() {
        return rank;
    }

    /**
     * The ranks of the group.
     *
     * @return the group's size
     */
    public int worldSize() {
        return worldSize;
    }

    /** Samples in this shard. */
    public int size() {
        return size;
    }

    /** Index in the data set of this shard's {@code k}-th sample. */
    public int index(int k) {
        return rank + k * worldSize;
    }
}

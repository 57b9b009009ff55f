package io.ringsgd.collectives;

import io.ringsgd.collectives.algorithm.RingLayout;

/**
 * AllReduce for several ranks per host, built from sub-communicators ({@link Communicator#split}): a reduce-scatter
 * inside each host leaves local rank j with share j of the host's sum; the local ranks j of all hosts all-reduce that
 * share among themselves (so with L ranks per host, L cross-host AllReduces run at once, one per local rank, and
 * every NIC of a host carries traffic); an all-gather inside the host hands every share to every local rank. Hosts
 * with unequal numbers of ranks take the leader form instead: reduce to local rank 0, AllReduce among the hosts'
 * rank 0, broadcast inside the host. Every rank ends bit-identical (each element is reduced along one path, then
 * copied).
 *
 * <p>Cost for m bytes on H hosts of L ranks, inside a host α_l, β_l, γ_l, across hosts α, β, γ (ring everywhere):
 * 2(L−1)·α_l + 2·(L−1)/L·m·β_l + (L−1)/L·m·γ_l for the host steps plus the cross-host ring on m/L bytes,
 * 2(H−1)·α + 2·(H−1)/H·(m/L)·β + (H−1)/H·(m/L)·γ, the L of them in parallel on the host's link(s); a flat ring of
 * H·L ranks sends 2·(HL−1)/(HL)·m through each rank and pays 2(HL−1)·α.
 *
 * <p>Made once (collective: every rank of {@code comm} at the same point) and reused; not thread-safe, like a
 * communicator's collectives. Closing it closes the two sub-communicators, not {@code comm}.
 */
public final class HierarchicalAllreduce implements AutoCloseable {
    private final Communicator local;
    private final Communicator cross;
    private final boolean uniform;
    private final int size;
    private final int[] counts;
    private final int[] displs;
    private ElementBuffer share;

    private HierarchicalAllreduce(Communicator comm, int host) {
        if (host < 0) {
            throw new IllegalArgumentException("host index must be >= 0, got " + host);
        }
        this.size = comm.size();
        this.local = comm.split(host, comm.rank());
        int localRank = local.rank();
        this.cross = comm.split(localRank, comm.rank());
        // Uniform when every host has as many ranks as this one: then the local rank j's of all hosts number
        // size / L, and the cross group of every local rank has that size.
        int[] check = {local.size() * cross.size() == size ? 1 : 0};
        comm.allreduce(null, ElementBuffer.of(check), ReduceOp.MIN, CollectiveOptions.DEFAULT);
        this.uniform = check[0] == 1;
        this.counts = new int[local.size()];
        this.displs = new int[local.size()];
    }

    /**
     * Builds the hierarchy of {@code comm}, this rank being on host number {@code host} (any non-negative label the
     * ranks of one host share, e.g. a node index from the launcher).
     *
     * @throws IllegalArgumentException if {@code host} is negative
     * @throws UnsupportedOperationException if the transport has no communication contexts (MPJ Express)
     */
    public static HierarchicalAllreduce of(Communicator comm, int host) {
        return new HierarchicalAllreduce(comm, host);
    }

    /**
     * Builds the hierarchy of {@code comm} with the hosts found by {@link HostKey#local()} (kernel and network
     * namespace, as {@link Communicator#splitByHost()}): nothing to pass from a launcher. Collective.
     *
     * @throws UnsupportedOperationException if the transport has no communication contexts (MPJ Express)
     */
    public static HierarchicalAllreduce of(Communicator comm) {
        return ofLabel(comm, HostKey.local());
    }

    /**
     * Builds the hierarchy of {@code comm} with hosts named by {@code label} (the ranks passing equal labels form one
     * host; for example a node name from a scheduler). Collective.
     */
    public static HierarchicalAllreduce ofLabel(Communicator comm, String label) {
        return new HierarchicalAllreduce(comm, HostKey.groupOf(comm, label));
    }

    /** The communicator of this rank's host. */
    public Communicator local() {
        return local;
    }

    /** The communicator of this rank's local rank across hosts. */
    public Communicator cross() {
        return cross;
    }

    /** True if every host has the same number of ranks (the reduce-scatter form), false for the leader form. */
    public boolean uniform() {
        return uniform;
    }

    /**
     * Reduces {@code data} across every rank of the communicator in place, {@code op} as {@link Communicator}'s
     * (AVG is SUM, then divided by the whole group's size).
     */
    public void allreduce(ElementBuffer data, ReduceOp op) {
        ReduceOp sum = op == ReduceOp.AVG ? ReduceOp.SUM : op;
        int n = data.count();
        if (n == 0) {
            return;
        }
        if (!uniform) {
            if (local.rank() == 0) {
                local.reduce(null, data, sum, 0, CollectiveOptions.DEFAULT);
                cross.allreduce(null, data, sum, CollectiveOptions.DEFAULT);
            } else {
                local.reduce(data, null, sum, 0, CollectiveOptions.DEFAULT);
            }
            local.broadcast(data, 0, CollectiveOptions.DEFAULT);
        } else {
            int l = local.size();
            for (int j = 0; j < l; j++) {
                counts[j] = RingLayout.chunkLength(n, l, j);
                displs[j] = RingLayout.chunkStart(n, l, j);
            }
            int mine = counts[local.rank()];
            if (share == null || share.type() != data.type() || share.count() < mine) {
                share = ElementBuffer.allocate(data.type(), Math.max(mine, 1));
            }
            ElementBuffer block = share.slice(0, mine);
            local.reduceScatterv(data, block, counts, sum, CollectiveOptions.DEFAULT);
            cross.allreduce(null, block, sum, CollectiveOptions.DEFAULT);
            local.allgatherv(block, data, counts, displs, CollectiveOptions.DEFAULT);
        }
        if (op == ReduceOp.AVG) {
            data.divide(0, n, size);
        }
    }

    @Override
    public void close() {
        try {
            cross.close();
        } finally {
            local.close();
        }
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.transport.Message;
import io.ringsgd.collectives.transport.Transport;

/**
 * BCube AllReduce (BML, after Guo et al.'s BCube(n, k)): P = n^(k+1) ranks, rank r written with k+1 digits in base n;
 * the level-l group of r is the n ranks whose digits differ from r's only in digit l (one switch of a BCube network).
 * A reduce-scatter goes level by level: at each level a rank's current range is cut into n blocks, the member with
 * digit d keeps block d, receives block d from the other n−1 members and reduces it; after k+1 levels each rank holds
 * 1/P of the vector fully reduced. An all-gather retraces the levels in reverse. This is the multi-port form: the
 * vector is cut into k+1 slices and slice s visits the levels in the order s, s+1, …, s+k (mod k+1), so at every step
 * the k+1 slices use k+1 different levels at once (all NICs of a BCube host busy); over one transport it is the same
 * exchange, interleaved. Each element is reduced on exactly one rank and then copied, so every rank ends bit-identical.
 *
 * <p>Reduction order: at each level the n partial results of a block are combined in digit order,
 * ((x<sub>0</sub> ∘ x<sub>1</sub>) ∘ x<sub>2</sub>) ∘ …, and level after level in the slice's level order; a serial
 * reference that folds in this tree order is bit-equal.
 *
 * <p>Cost for m bytes on P = n^(k+1) ranks, one port: 2(k+1)·α + 2·(P−1)/P·m·β + (P−1)/P·m·γ, counting α once
 * per step (the step's (k+1)(n−1) messages go out together), or 2(k+1)²(n−1)·α where a host pays α per message; the
 * same volume as the ring in 2(k+1) rounds instead of 2(P−1), plus a copy of the kept block per level on ranks whose
 * digit is not 0. With k+1 ports, one slice on each, the β term divides by k+1:
 * 2(k+1)·α + 2·(P−1)/P·m·β/(k+1) + (P−1)/P·m·γ.
 *
 * <p>The base n is {@link CollectiveContext#bcubeBase()} (0: the smallest n ≥ 2 with n^(k+1) = P, which for a prime
 * P is n = P, k = 0: one all-to-all level). A group size that is no power of a given n is rejected by
 * {@link #levels(int, int)} with an IllegalArgumentException, at the call.
 */
public final class BcubeAllreduce implements AllreduceAlgorithm {

    @Override
    public Algorithm id() {
        return Algorithm.BCUBE;
    }

    /** The smallest n ≥ 2 such that {@code size} = n^(k+1) for some k ≥ 0 ({@code size} itself if prime). */
    public static int defaultBase(int size) {
        for (int n = 2; n * n <= size; n++) {
            long p = n;
            while (p < size) {
                p *= n;
            }
            if (p == size) {
                return n;
            }
        }
        return Math.max(size, 1);
    }

    /**
     * The number of levels k+1 of BCube(n, k) on {@code size} ranks with base {@code base} (0: {@link #defaultBase}).
     *
     * @throws IllegalArgumentException if {@code size} is not a power of {@code base}, or {@code base} &lt; 2
     */
    public static int levels(int size, int base) {
        int n = base == 0 ? defaultBase(size) : base;
        if (size == 1) {
            return 1;
        }
        if (n < 2) {
            throw new IllegalArgumentException("bcube base n must be at least 2, got " + n);
        }
        int levels = 0;
        long p = 1;
        while (p < size) {
            p *= n;
            levels++;
        }
        if (p != size) {
            throw new IllegalArgumentException("bcube needs a group of n^(k+1) ranks: " + size + " is not a power of n="
                    + n + "; set bcube.n to a base whose power is " + size + " (or 0 to pick one) or use another"
                    + " algorithm");
        }
        return levels;
    }

    @Override
    public void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op) {
        int size = ctx.size();
        if (size == 1) {
            return;
        }
        int n = ctx.bcubeBase() == 0 ? defaultBase(size) : ctx.bcubeBase();
        int levels = levels(size, n);
        int count = data.count();
        ElementBuffer scratch = ctx.scratch(data.type(), count + levels * n, 0);
        for (int t = 0; t < levels; t++) {
            step(ctx, data, scratch, op, n, levels, t, true);
        }
        for (int t = levels - 1; t >= 0; t--) {
            step(ctx, data, scratch, op, n, levels, t, false);
        }
    }

    /**
     * Step {@code t} of every slice: the reduce-scatter's ({@code reduce}) or the all-gather's exchange within the
     * level group slice s uses at that step, all slices' messages in flight together.
     */
    private static void step(CollectiveContext ctx, ElementBuffer data, ElementBuffer scratch, ReduceOp op, int n,
            int levels, int t, boolean reduce) {
        Transport transport = ctx.transport();
        int rank = ctx.rank();
        int count = data.count();
        ctx.resetSends();
        for (int s = 0; s < levels; s++) {
            int level = (s + t) % levels;
            int stride = pow(n, level);
            int d = (rank / stride) % n;
            long range = range(rank, count, n, levels, s, t);
            int a = (int) (range >>> 32);
            int len = (int) range - a;
            int mine = a + RingLayout.chunkStart(len, n, d);
            int bs = a + RingLayout.chunkStart(len, n, d + 1) - mine;
            int sbase = RingLayout.chunkStart(count, levels, s) + s * n;
            for (int i = 0; i < n; i++) {
                if (i == d) {
                    continue;
                }
                int peer = rank + (i - d) * stride;
                int from = a + RingLayout.chunkStart(len, n, i);
                int blen = a + RingLayout.chunkStart(len, n, i + 1) - from;
                int slot = s * n + i;
                if (reduce) {
                    ctx.skipRecv(slot, bs == 0);
                    if (bs > 0) {
                        transport.post(ctx.recvSlot(slot).recv(peer, ctx.header(), scratch, sbase + i * bs, bs));
                    }
                } else {
                    ctx.skipRecv(slot, blen == 0);
                    if (blen > 0) {
                        transport.post(ctx.recvSlot(slot).recv(peer, ctx.header(), data, from, blen));
                    }
                }
            }
            for (int i = 0; i < n; i++) {
                if (i == d) {
                    continue;
                }
                int peer = rank + (i - d) * stride;
                int from = mine;
                int blen = bs;
                if (reduce) {
                    from = a + RingLayout.chunkStart(len, n, i);
                    blen = a + RingLayout.chunkStart(len, n, i + 1) - from;
                }
                if (blen > 0) {
                    Message m = ctx.nextSend();
                    transport.post(m.send(peer, ctx.header(), data, from, blen));
                }
            }
        }
        for (int s = 0; s < levels; s++) {
            int level = (s + t) % levels;
            int d = (rank / pow(n, level)) % n;
            for (int i = 0; i < n; i++) {
                if (i != d) {
                    ctx.awaitRecv(s * n + i);
                }
            }
            if (reduce) {
                fold(data, scratch, op, n, d, count, levels, rank, s, t);
            }
        }
        // On a failure the sends are left as the ring leaves them: the next collective resets the queue.
        ctx.drainSends();
    }

    /** Combines the n contributions to this rank's block of slice {@code s} at step {@code t} in digit order. */
    private static void fold(ElementBuffer data, ElementBuffer scratch, ReduceOp op, int n, int d, int count,
            int levels, int rank, int s, int t) {
        long range = range(rank, count, n, levels, s, t);
        int a = (int) (range >>> 32);
        int len = (int) range - a;
        int mine = a + RingLayout.chunkStart(len, n, d);
        int bs = a + RingLayout.chunkStart(len, n, d + 1) - mine;
        if (bs == 0) {
            return;
        }
        int sbase = RingLayout.chunkStart(count, levels, s) + s * n;
        if (d != 0) {
            // The accumulator must start from digit 0's contribution: park our own in its slot first.
            data.copyTo(mine, scratch, sbase + d * bs, bs);
            scratch.copyTo(sbase, data, mine, bs);
        }
        for (int i = 1; i < n; i++) {
            scratch.reduceInto(sbase + i * bs, data, mine, bs, op, false);
        }
    }

    /**
     * The range [a, b) of slice {@code s} this rank works on before step {@code t}, packed as a·2^32 + b: the slice,
     * narrowed at each earlier step to the block of this rank's digit at that step's level.
     */
    private static long range(int rank, int count, int n, int levels, int s, int t) {
        int a = RingLayout.chunkStart(count, levels, s);
        int b = RingLayout.chunkStart(count, levels, s + 1);
        for (int u = 0; u < t; u++) {
            int d = (rank / pow(n, (s + u) % levels)) % n;
            int len = b - a;
            int na = a + RingLayout.chunkStart(len, n, d);
            b = a + RingLayout.chunkStart(len, n, d + 1);
            a = na;
        }
        return ((long) a << 32) | (b & 0xFFFFFFFFL);
    }

    private static int pow(int n, int e) {
        int p = 1;
        for (int i = 0; i < e; i++) {
            p *= n;
        }
        return p;
    }
}

package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.transport.Message;

/**
 * The loop every ring collective shares. The vector is cut into P chunks (chunk c ends up owned by rank c) and each
 * chunk into the same number of segments of at most {@link CollectiveContext#segmentBytes()}. At ring step s, rank r
 * sends chunk r−1−s to its right neighbour and receives chunk r−2−s from its left one, reducing it into its own copy
 * for the first {@code reduceSteps} steps (the reduce-scatter) and overwriting afterwards (the all-gather). The chunk
 * received at step s is the chunk sent at step s+1, so segment j is forwarded as soon as it has arrived: sending
 * segment j overlaps receiving and reducing segment j+1, with {@link CollectiveContext#window()} receives posted ahead.
 *
 * <p>AllReduce runs steps [0, 2P−2), reduce-scatter [0, P−1), all-gather [P−1, 2P−2).
 */
final class RingPipeline {
    private RingPipeline() {
    }

    /**
     * Runs ring steps [firstStep, endStep) over {@code data}; steps below {@code reduceSteps} reduce with op. Ranks
     * are taken relative to {@code origin}: rank origin+q owns chunk q at the end.
     */
    static void run(CollectiveContext ctx, ElementBuffer data, int firstStep, int endStep, int reduceSteps,
            ReduceOp op, int origin) {
        run(ctx, null, data, firstStep, endStep, reduceSteps, op, origin);
    }

    /**
     * As {@link #run(CollectiveContext, ElementBuffer, int, int, int, ReduceOp, int)}, reading this rank's own
     * elements from {@code source} (null: from {@code data}) so an out-of-place AllReduce needs no initial copy:
     * the first send of a chunk reads {@code source}, the first reduction into it combines the incoming elements
     * with {@code source} and writes {@code data}, and the all-gather writes every other chunk of {@code data}.
     */
    static void run(CollectiveContext ctx, ElementBuffer source, ElementBuffer data, int firstStep, int endStep,
            int reduceSteps, ReduceOp op, int origin) {
        run(ctx, source, data, data, firstStep, endStep, reduceSteps, op, origin);
    }

    /**
     * As {@link #run(CollectiveContext, ElementBuffer, ElementBuffer, int, int, int, ReduceOp, int)}, with the
     * receives of the copy steps (those at or after {@code reduceSteps}) landing in {@code sink}, laid out as
     * {@code data}, while sends still read {@code data}: a broadcast's root, which holds every chunk already and may
     * have passed a read-only buffer, takes them in scratch.
     */
    static void run(CollectiveContext ctx, ElementBuffer source, ElementBuffer data, ElementBuffer sink,
            int firstStep, int endStep, int reduceSteps, ReduceOp op, int origin) {
        int p = ctx.size();
        if (p == 1 || endStep <= firstStep) {
            return;
        }
        int count = data.count();
        int r = Math.floorMod(ctx.rank() - origin, p);
        int right = (ctx.rank() + 1) % p;
        int left = (ctx.rank() - 1 + p) % p;
        int segments = RingLayout.segments(count, p, data.type().bytes(), ctx.segmentBytes());
        int units = (endStep - firstStep) * segments;
        int window = Math.max(2, ctx.window());

        ctx.resetSends();
        for (int j = 0; j < segments; j++) {
            postSend(ctx, source != null ? source : data, r, firstStep, j, segments, right);
        }
        int posted = 0;
        for (int u = 0; u < units; u++) {
            while (posted < units && posted < u + window) {
                postRecv(ctx, source, data, sink, r, firstStep + posted / segments, posted % segments, segments,
                        left, reduceSteps, op, posted % window);
                posted++;
            }
            ctx.awaitRecv(u % window);
            int s = firstStep + u / segments;
            if (s + 1 < endStep) {
                postSend(ctx, data, r, s + 1, u % segments, segments, right);
            }
            ctx.reapSends();
        }
        ctx.drainSends();
    }

    private static void postSend(CollectiveContext ctx, ElementBuffer data, int rel, int step, int seg,
            int segments, int right) {
        int p = ctx.size();
        int chunk = Math.floorMod(rel - 1 - step, p);
        int start = RingLayout.segmentStart(data.count(), p, chunk, seg, segments);
        int len = RingLayout.segmentStart(data.count(), p, chunk, seg + 1, segments) - start;
        if (len == 0) {
            return; // an empty segment (count < P): neither side sends it
        }
        ctx.transport().post(ctx.nextSend().send(right, ctx.header(), data, start, len));
    }

    private static void postRecv(CollectiveContext ctx, ElementBuffer source, ElementBuffer data, ElementBuffer sink,
            int rel, int step, int seg, int segments, int left, int reduceSteps, ReduceOp op, int slot) {
        Message m = ctx.recvSlot(slot);
        int p = ctx.size();
        int chunk = Math.floorMod(rel - 2 - step, p);
        int start = RingLayout.segmentStart(data.count(), p, chunk, seg, segments);
        int len = RingLayout.segmentStart(data.count(), p, chunk, seg + 1, segments) - start;
        if (step < reduceSteps && source != null) {
            m.recvCombine(left, ctx.header(), data, start, len, op, source, start);
        } else if (step < reduceSteps) {
            m.recvReduce(left, ctx.header(), data, start, len, op, true);
        } else {
            m.recv(left, ctx.header(), sink, start, len);
        }
        ctx.skipRecv(slot, len == 0);
        if (len > 0) {
            ctx.transport().post(m);
        }
    }

}

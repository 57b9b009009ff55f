package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.transport.NativeCollectives;
import io.ringsgd.collectives.transport.Transport;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;

/**
 * Every algorithm of every collective, as data: one entry per (collective, algorithm) holding how to run it and
 * whether it needs the transport's own collectives. Both questions a communicator asks come from here: "does this
 * collective have this algorithm on this transport" ({@link #require}, asked at the call, before anything is sent)
 * and "run it" ({@link #run}). Adding an algorithm means one class (with its cost in its comment) and one
 * {@code add} line below; making it AUTO's choice somewhere means a row in the selection table
 * ({@link AlgorithmTable}).
 *
 * <p>Immutable and thread-safe; {@link #standard()} is the registry every communicator uses.
 */
public final class AlgorithmRegistry {
    /**
     * How one algorithm of one collective runs, given the call's operands as the communicator checked them. Per
     * collective: ALLREDUCE reduces {@code send} (null: in place) into {@code data}; BROADCAST sends {@code data} from
     * {@code root}; REDUCE reduces {@code send} into {@code data} at {@code root} ({@code data} is null elsewhere);
     * REDUCE_SCATTER reduces {@code send}'s P blocks and leaves block {@code rank} in {@code data}; ALLGATHER gathers
     * every rank's {@code send} into {@code data}; BARRIER takes none; GATHER gathers {@code send} into the root's
     * {@code data} (null elsewhere); SCATTER scatters the root's {@code send} (null elsewhere) into {@code data};
     * ALLTOALL sends {@code send}'s P blocks to their ranks into {@code data}; SCAN and EXSCAN reduce {@code send}
     * over the ranks below (and, for SCAN, including) this one into {@code data}. The v-forms take their per-rank
     * counts and displacements from {@link CollectiveContext#layout}: ALLGATHERV ({@code send} into {@code data},
     * recv layout), GATHERV and SCATTERV (the root's side in the recv or send layout), ALLTOALLV (both),
     * REDUCE_SCATTERV ({@code send}'s blocks in the recv layout). {@code op} is never AVG (the communicator
     * divides afterwards); operands a collective does not take are null (or {@code Header.NO_ROOT}). Runs on a group
     * of at least two ranks with at least one element.
     */
    @FunctionalInterface
    public interface Implementation {
        /** Runs the collective on the calling rank; blocks until this rank's part is done. */
        void run(CollectiveContext ctx, ElementBuffer send, ElementBuffer data, ReduceOp op, int root);
    }

    private record Entry(Implementation implementation, boolean needsNative) {
    }

    private static final AlgorithmRegistry STANDARD = new AlgorithmRegistry();

    private final Map<CollectiveKind, Map<Algorithm, Entry>> entries = new EnumMap<>(CollectiveKind.class);

    private AlgorithmRegistry() {
        for (AllreduceAlgorithm a : new AllreduceAlgorithm[] {new RingAllreduce(), new RecursiveDoublingAllreduce(),
            new RabenseifnerAllreduce(), new TreeAllreduce(), new BcubeAllreduce()}) {
            add(CollectiveKind.ALLREDUCE, a.id(), (ctx, send, data, op, root) -> a.allreduce(ctx, send, data, op));
        }
        addNative(CollectiveKind.ALLREDUCE, (ctx, send, data, op, root) -> {
            if (send != null && !send.sameRegion(data)) {
                send.copyTo(0, data, 0, data.count());
            }
            natives(ctx).allreduce(data, op);
        });

        add(CollectiveKind.BROADCAST, Algorithm.TREE,
                (ctx, send, data, op, root) -> BinomialBroadcast.broadcast(ctx, data, root));
        add(CollectiveKind.BROADCAST, Algorithm.RING,
                (ctx, send, data, op, root) -> ScatterAllgatherBroadcast.broadcast(ctx, data, root));
        addNative(CollectiveKind.BROADCAST, (ctx, send, data, op, root) -> natives(ctx).broadcast(data, root));

        add(CollectiveKind.REDUCE, Algorithm.TREE, (ctx, send, data, op, root) ->
                BinomialReduce.reduceInPlace(ctx, reduceWork(ctx, send, data), op, root));
        add(CollectiveKind.REDUCE, Algorithm.RING, (ctx, send, data, op, root) ->
                RingReduce.reduce(ctx, reduceWork(ctx, send, data), op, root));
        addNative(CollectiveKind.REDUCE, (ctx, send, data, op, root) -> natives(ctx).reduce(send, data, op, root));

        add(CollectiveKind.REDUCE_SCATTER, Algorithm.TREE, (ctx, send, data, op, root) -> {
            ElementBuffer work = scatterWork(ctx, send);
            TreeReduceScatter.reduceScatter(ctx, work, op);
            work.copyTo(ctx.rank() * data.count(), data, 0, data.count());
        });
        add(CollectiveKind.REDUCE_SCATTER, Algorithm.RING, (ctx, send, data, op, root) -> {
            ElementBuffer work = scatterWork(ctx, send);
            RingReduceScatter.reduceScatter(ctx, work, op);
            work.copyTo(ctx.rank() * data.count(), data, 0, data.count());
        });

        add(CollectiveKind.ALLGATHER, Algorithm.RECURSIVE_DOUBLING, (ctx, send, data, op, root) -> {
            send.copyTo(0, data, ctx.rank() * send.count(), send.count());
            BruckAllgather.allgather(ctx, data);
        });
        add(CollectiveKind.ALLGATHER, Algorithm.RING, (ctx, send, data, op, root) -> {
            send.copyTo(0, data, ctx.rank() * send.count(), send.count());
            RingAllgather.allgather(ctx, data);
        });
        addNative(CollectiveKind.ALLGATHER, (ctx, send, data, op, root) -> natives(ctx).allgather(send, data));

        add(CollectiveKind.GATHER, Algorithm.TREE, (ctx, send, data, op, root) ->
                BinomialGather.gather(ctx, send, data, root));
        add(CollectiveKind.GATHER, Algorithm.LINEAR, (ctx, send, data, op, root) -> {
            ctx.uniformLayout(send.count());
            placeOwn(ctx, send, data, root);
            LinearGatherv.gatherv(ctx, send, data, ctx.recvCounts(), ctx.recvDispls(), root);
        });
        add(CollectiveKind.GATHERV, Algorithm.LINEAR, (ctx, send, data, op, root) -> {
            placeOwn(ctx, send, data, root);
            LinearGatherv.gatherv(ctx, send, data, ctx.recvCounts(), ctx.recvDispls(), root);
        });
        add(CollectiveKind.SCATTER, Algorithm.TREE, (ctx, send, data, op, root) ->
                BinomialScatter.scatterBlocks(ctx, send, data, root));
        add(CollectiveKind.SCATTER, Algorithm.LINEAR, (ctx, send, data, op, root) -> {
            ctx.uniformLayout(data.count());
            takeOwn(ctx, send, data, root);
            LinearScatterv.scatterv(ctx, send, ctx.sendCounts(), ctx.sendDispls(), data, root);
        });
        add(CollectiveKind.SCATTERV, Algorithm.LINEAR, (ctx, send, data, op, root) -> {
            takeOwn(ctx, send, data, root);
            LinearScatterv.scatterv(ctx, send, ctx.sendCounts(), ctx.sendDispls(), data, root);
        });
        add(CollectiveKind.ALLGATHERV, Algorithm.RING, (ctx, send, data, op, root) -> {
            int r = ctx.rank();
            send.copyTo(0, data, ctx.recvDispls()[r], send.count());
            RingAllgatherv.allgatherv(ctx, data, ctx.recvCounts(), ctx.recvDispls());
        });
        add(CollectiveKind.ALLTOALL, Algorithm.PAIRWISE, (ctx, send, data, op, root) -> {
            ctx.uniformLayout(data.count() / ctx.size());
            PairwiseAlltoall.alltoallv(ctx, send, ctx.sendCounts(), ctx.sendDispls(), data, ctx.recvCounts(),
                    ctx.recvDispls());
        });
        add(CollectiveKind.ALLTOALL, Algorithm.BRUCK, (ctx, send, data, op, root) ->
                BruckAlltoall.alltoall(ctx, send, data, data.count() / ctx.size()));
        add(CollectiveKind.ALLTOALLV, Algorithm.PAIRWISE, (ctx, send, data, op, root) ->
                PairwiseAlltoall.alltoallv(ctx, send, ctx.sendCounts(), ctx.sendDispls(), data, ctx.recvCounts(),
                        ctx.recvDispls()));
        add(CollectiveKind.SCAN, Algorithm.RECURSIVE_DOUBLING, (ctx, send, data, op, root) ->
                RecursiveDoublingScan.scan(ctx, send, data, OrderedOp.of(op), false));
        add(CollectiveKind.EXSCAN, Algorithm.RECURSIVE_DOUBLING, (ctx, send, data, op, root) ->
                RecursiveDoublingScan.scan(ctx, send, data, OrderedOp.of(op), true));
        add(CollectiveKind.REDUCE_SCATTERV, Algorithm.PAIRWISE, (ctx, send, data, op, root) ->
                PairwiseReduceScatter.reduceScatterv(ctx, send, data, ctx.recvCounts(), ctx.recvDispls(),
                        OrderedOp.of(op)));

        add(CollectiveKind.BARRIER, Algorithm.RECURSIVE_DOUBLING,
                (ctx, send, data, op, root) -> DisseminationBarrier.barrier(ctx));
        addNative(CollectiveKind.BARRIER, (ctx, send, data, op, root) -> natives(ctx).barrier());
    }

    /** The registry of ringsgd's algorithms and, on transports that have them, the transport's own collectives. */
    public static AlgorithmRegistry standard() {
        return STANDARD;
    }

    private void add(CollectiveKind kind, Algorithm a, Implementation impl) {
        entries.computeIfAbsent(kind, k -> new EnumMap<>(Algorithm.class)).put(a, new Entry(impl, false));
    }

    private void addNative(CollectiveKind kind, Implementation impl) {
        entries.computeIfAbsent(kind, k -> new EnumMap<>(Algorithm.class)).put(Algorithm.NATIVE,
                new Entry(impl, true));
    }

    /** The algorithms {@code kind} has on some transport (AUTO excluded); empty for EXTERNAL. */
    public Set<Algorithm> algorithms(CollectiveKind kind) {
        Map<Algorithm, Entry> m = entries.get(kind);
        return m == null ? Set.of() : Collections.unmodifiableSet(m.keySet());
    }

    /** True if {@code kind} has algorithm {@code a} on {@code transport} (null: on some transport); AUTO: true. */
    public boolean supports(CollectiveKind kind, Algorithm a, Transport transport) {
        if (a == Algorithm.AUTO) {
            return true;
        }
        Entry e = entries.getOrDefault(kind, Map.of()).get(a);
        return e != null && (!e.needsNative() || transport == null || transport.nativeCollectives() != null);
    }

    /**
     * Throws IllegalArgumentException, saying what is available, unless {@code kind} has algorithm {@code a} on
     * {@code transport} (null: on some transport).
     */
    public void require(CollectiveKind kind, Algorithm a, Transport transport) {
        if (supports(kind, a, transport)) {
            return;
        }
        StringBuilder names = new StringBuilder("auto");
        for (Algorithm x : algorithms(kind)) {
            if (supports(kind, x, transport)) {
                names.append(", ").append(x.cliName());
            }
        }
        if (entries.getOrDefault(kind, Map.of()).containsKey(a)) {
            throw new IllegalArgumentException(kind.label() + " has no " + a.cliName() + " algorithm on the "
                    + transport.name() + " transport: '" + a.cliName() + "' (mpj-native) runs the transport's own"
                    + " collectives, which only the MPJ Express transport has; use one of " + names);
        }
        throw new IllegalArgumentException(kind.label() + " has no " + a.cliName() + " algorithm: use one of "
                + names);
    }

    /** Runs algorithm {@code a} of {@code kind} (see {@link Implementation} for the operands). */
    public void run(CollectiveKind kind, Algorithm a, CollectiveContext ctx, ElementBuffer send, ElementBuffer data,
            ReduceOp op, int root) {
        Entry e = entries.getOrDefault(kind, Map.of()).get(a);
        if (e == null || (e.needsNative() && ctx.transport().nativeCollectives() == null)) {
            require(kind, a, ctx.transport());
        }
        e.implementation().run(ctx, send, data, op, root);
    }

    private static NativeCollectives natives(CollectiveContext ctx) {
        return ctx.transport().nativeCollectives();
    }

    /** At a gather's root, copies its own block into place in the result (a no-op when it is already there). */
    private static void placeOwn(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int root) {
        if (ctx.rank() == root) {
            send.copyTo(0, recv, ctx.recvDispls()[root], send.count());
        }
    }

    /** At a scatter's root, copies its own block from the input (a no-op when it is already there). */
    private static void takeOwn(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv, int root) {
        if (ctx.rank() == root) {
            send.copyTo(ctx.sendDispls()[root], recv, 0, recv.count());
        }
    }

    /** The buffer a reduce works in: the result buffer at the root, scratch elsewhere, holding this rank's part. */
    private static ElementBuffer reduceWork(CollectiveContext ctx, ElementBuffer send, ElementBuffer recv) {
        int n = send.count();
        ElementBuffer work = recv != null ? recv : ctx.scratch(send.type(), n, 0);
        if (!send.sameRegion(work)) {
            send.copyTo(0, work, 0, n);
        }
        return work;
    }

    /** A scratch copy of the P blocks a reduce-scatter reduces (the algorithms clobber their work buffer). */
    private static ElementBuffer scatterWork(CollectiveContext ctx, ElementBuffer send) {
        ElementBuffer work = ctx.scratch(send.type(), send.count(), 0);
        send.copyTo(0, work, 0, send.count());
        return work;
    }
}

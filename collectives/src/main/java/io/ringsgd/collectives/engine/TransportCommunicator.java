package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.UserReduction;
import io.ringsgd.collectives.algorithm.AlgorithmRegistry;
import io.ringsgd.collectives.algorithm.BcubeAllreduce;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.CompressedRingAllreduce;
import io.ringsgd.collectives.algorithm.EncodedAllgatherAllreduce;
import io.ringsgd.collectives.algorithm.OrderedBinomialReduce;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.SubgroupTransport;
import io.ringsgd.collectives.transport.Transport;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Communicator} over any {@link Transport}: validates arguments and resolves the algorithm (AUTO through the
 * selection table, then checked against the {@link AlgorithmRegistry} for this transport) on the calling thread,
 * before anything is sent; gives every collective a ticket (its sequence number, identical on all ranks because all
 * ranks issue the same collectives in the same order); and runs collectives strictly in ticket order: blocking ones
 * on the calling thread, non-blocking ones on one progress thread per communicator, started on first use.
 *
 * <p>Collectives are taken from one thread at a time. A call made while a collective issued by another thread is
 * still running throws {@link IllegalStateException} and fails the communicator on every rank; the number of times
 * the calling thread changed travels in every message header, so ranks whose threads took turns at different
 * collectives fail with a {@link io.ringsgd.collectives.CollectiveMismatchException} instead of pairing up different
 * threads' calls.
 */
public final class TransportCommunicator implements Communicator {
    private static final Logger log = LoggerFactory.getLogger(TransportCommunicator.class);

    private final Transport transport;
    private final CommunicatorConfig config;
    private final CollectiveContext ctx;
    private final AlgorithmRegistry registry = AlgorithmRegistry.standard();
    private final CompressedRingAllreduce compressed = new CompressedRingAllreduce();
    private final EncodedAllgatherAllreduce gathered = new EncodedAllgatherAllreduce();
    private final int rank;
    private final int size;
    private final Tracer tracer;
    private final int[][] traceNames = new int[CollectiveKind.values().length][Algorithm.values().length];

    private final Object turn = new Object();
    private long nextTicket;
    private long serving;
    private final ArrayDeque<Op> queue = new ArrayDeque<>();
    private Thread engine;
    private boolean closed;
    /** The thread that issued the latest collective, what it was, and how many times the issuing thread changed. */
    private Thread issuer;
    private String issued;
    private int callerChanges;

    /**
     * {@code -Dringsgd.spin.background=true} lets a collective that runs in the background (a request nobody awaits
     * yet) busy-wait as a blocking one does: the behaviour before background collectives stopped spinning, kept to
     * compare the two ({@code --trace}); it takes the CPU from the computing thread when cores are scarce.
     */
    private static final boolean SPIN_IN_BACKGROUND = Boolean.getBoolean("ringsgd.spin.background");

    /** A communicator over {@code transport} (wrap it first if the configuration emulates a link). */
    public TransportCommunicator(Transport transport, CommunicatorConfig config) {
        this.transport = transport;
        this.config = config;
        this.rank = transport.rank();
        this.size = transport.size();
        this.ctx = new CollectiveContext(transport, config.segmentBytes(), config.window());
        this.tracer = config.tracer();
        if (!SPIN_IN_BACKGROUND) {
            transport.spinOnlyWhen(this::urgent);
        }
        for (int[] row : traceNames) {
            java.util.Arrays.fill(row, -1);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public String transportName() {
        return transport.name();
    }

    @Override
    public Algorithm allreduceAlgorithm(long bytes, CollectiveOptions options) {
        return options.compression() != Compression.NONE ? Algorithm.RING
                : resolve(CollectiveKind.ALLREDUCE, options.algorithm(), bytes);
    }

    @Override
    public long bytesSent() {
        return transport.bytesSent();
    }

    /** The transport underneath (benchmarks, diagnostics, custom collectives' tests). */
    public Transport transport() {
        return transport;
    }

    /** The configuration this communicator was made with. */
    public CommunicatorConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------- allreduce

    @Override
    public void allreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        Algorithm a = checkAllreduce(send, recv, op, options);
        runBlocking("allreduce", seq -> doAllreduce(seq, a, send, recv, op, options));
    }

    @Override
    public Request iallreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        Algorithm a = checkAllreduce(send, recv, op, options);
        return runLater("iallreduce", seq -> doAllreduce(seq, a, send, recv, op, options));
    }

    private Algorithm checkAllreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        checkOptions(options);
        checkOp(op);
        checkReducible(recv, op, "recv");
        checkSendRecv(send, recv, recv.count(), "allreduce");
        if (options.compression() != Compression.NONE) {
            if (recv.type() != ElementType.FLOAT) {
                throw new IllegalArgumentException("compression applies to float vectors only, got "
                        + recv.type().label());
            }
            if (op != ReduceOp.SUM && op != ReduceOp.AVG) {
                throw new IllegalArgumentException("a compressed allreduce supports SUM and AVG only, got " + op);
            }
            float[] sink = options.quantizationError();
            if (sink != null && sink.length < recv.count()) {
                throw new IllegalArgumentException("quantization error sink holds " + sink.length
                        + " floats, the vector " + recv.count() + ": give it at least the vector's length");
            }
            if (sink != null && (sink == recv.floatArray() || (send != null && sink == send.floatArray()))) {
                throw new IllegalArgumentException("the quantization error sink is the vector's own array: give it"
                        + " an array of its own");
            }
            return Algorithm.RING;
        }
        return algorithm(CollectiveKind.ALLREDUCE, options, recv);
    }

    private int bcubeBase(CollectiveOptions o) {
        return o.bcubeBase() != 0 ? o.bcubeBase() : config.bcubeBase();
    }

    private void doAllreduce(long seq, Algorithm a, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions o) {
        int n = recv.count();
        ctx.header().set(CollectiveKind.ALLREDUCE, seq, recv.type(), n, op, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        ElementBuffer source = send == null || send.sameRegion(recv) ? null : send;
        if (size == 1 || o.compression() != Compression.NONE) {
            if (source != null) {
                source.copyTo(0, recv, 0, n);
            }
            if (size == 1) {
                return;
            }
        }
        ctx.segmentBytes(segment(o));
        ctx.bcubeBase(bcubeBase(o));
        if (o.compression().gathersEncodings()) {
            gathered.allreduce(ctx, recv, o);
        } else if (o.compression() != Compression.NONE) {
            compressed.allreduce(ctx, recv, o.compression(), o.quantizationError());
        } else {
            registry.run(CollectiveKind.ALLREDUCE, a, ctx, source, recv, op.wireOp(), Header.NO_ROOT);
        }
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- broadcast

    @Override
    public void broadcast(ElementBuffer data, int root, CollectiveOptions options) {
        Algorithm a = checkBroadcast(data, root, options);
        runBlocking("broadcast", seq -> doBroadcast(seq, a, data, root, options));
    }

    @Override
    public Request ibroadcast(ElementBuffer data, int root, CollectiveOptions options) {
        Algorithm a = checkBroadcast(data, root, options);
        return runLater("ibroadcast", seq -> doBroadcast(seq, a, data, root, options));
    }

    private Algorithm checkBroadcast(ElementBuffer data, int root, CollectiveOptions options) {
        checkOptions(options);
        checkBuffer(data, "data");
        checkRoot(root);
        if (rank != root && !data.isWritable()) {
            throw new IllegalArgumentException("data is read-only but rank " + rank + " receives the broadcast (only"
                    + " the root " + root + " may pass a read-only buffer)");
        }
        return algorithm(CollectiveKind.BROADCAST, options, data);
    }

    private void doBroadcast(long seq, Algorithm a, ElementBuffer data, int root, CollectiveOptions o) {
        ctx.header().set(CollectiveKind.BROADCAST, seq, data.type(), data.count(), null, root, a);
        if (data.count() == 0 || size == 1) {
            return;
        }
        ctx.segmentBytes(segment(o));
        registry.run(CollectiveKind.BROADCAST, a, ctx, null, data, null, root);
    }

    // ------------------------------------------------------------------------------------------- reduce

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options) {
        reduce(false, send, recv, op, root, options);
    }

    @Override
    public Request ireduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options) {
        return reduce(true, send, recv, op, root, options);
    }

    private Request reduce(boolean later, ElementBuffer send, ElementBuffer recv, ReduceOp op, int root,
            CollectiveOptions options) {
        checkOptions(options);
        checkOp(op);
        checkRoot(root);
        ElementBuffer contribution = send != null ? send : recv;
        if (contribution == null) {
            throw new IllegalArgumentException("send is null: only the root may reduce in place (send null, recv"
                    + " holding its contribution)");
        }
        if (send == null && rank != root) {
            throw new IllegalArgumentException("send is null on rank " + rank + ", which is not the root " + root
                    + ": pass this rank's contribution as send");
        }
        checkBuffer(contribution, "send");
        checkOpType(op, contribution.type());
        if (rank == root) {
            checkReducible(recv, op, "recv");
            checkSendRecv(send, recv, contribution.count(), "reduce");
        }
        Algorithm a = algorithm(CollectiveKind.REDUCE, options, contribution);
        ElementBuffer result = rank == root ? recv : null;
        return dispatch(later, "reduce", seq -> doReduce(seq, a, contribution, result, op, root, options));
    }

    private void doReduce(long seq, Algorithm a, ElementBuffer send, ElementBuffer recv, ReduceOp op, int root,
            CollectiveOptions o) {
        int n = send.count();
        ctx.header().set(CollectiveKind.REDUCE, seq, send.type(), n, op, root, a);
        if (n == 0) {
            return;
        }
        if (size == 1) {
            if (!send.sameRegion(recv)) {
                send.copyTo(0, recv, 0, n);
            }
            return;
        }
        ctx.segmentBytes(segment(o));
        registry.run(CollectiveKind.REDUCE, a, ctx, send, recv, op.wireOp(), root);
        if (op == ReduceOp.AVG && recv != null) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- reduce-scatter

    @Override
    public void reduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        reduceScatter(false, send, recv, op, options);
    }

    @Override
    public Request ireduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return reduceScatter(true, send, recv, op, options);
    }

    private Request reduceScatter(boolean later, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions options) {
        checkOptions(options);
        checkOp(op);
        checkBuffer(send, "send");
        checkReducible(recv, op, "recv");
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
        if ((long) recv.count() * size != send.count()) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but reduceScatter needs size"
                    + " × recv count = " + size + " × " + recv.count() + " = " + (long) recv.count() * size);
        }
        if (send.mayOverlap(recv)) {
            throw new IllegalArgumentException("send and recv overlap: reduceScatter needs separate buffers");
        }
        Algorithm a = algorithm(CollectiveKind.REDUCE_SCATTER, options, send);
        return dispatch(later, "reduceScatter", seq -> doReduceScatter(seq, a, send, recv, op, options));
    }

    private void doReduceScatter(long seq, Algorithm a, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions o) {
        int n = recv.count();
        ctx.header().set(CollectiveKind.REDUCE_SCATTER, seq, send.type(), send.count(), op, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        if (size == 1) {
            send.copyTo(0, recv, 0, n);
            return;
        }
        ctx.segmentBytes(segment(o));
        registry.run(CollectiveKind.REDUCE_SCATTER, a, ctx, send, recv, op.wireOp(), Header.NO_ROOT);
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- all-gather

    @Override
    public void allgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        allgather(false, send, recv, options);
    }

    @Override
    public Request iallgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        return allgather(true, send, recv, options);
    }

    private Request allgather(boolean later, ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        checkOptions(options);
        checkBuffer(send, "send");
        checkBuffer(recv, "recv");
        if (!recv.isWritable()) {
            throw new IllegalArgumentException("recv is read-only: the gathered blocks are written into it");
        }
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
        if ((long) send.count() * size != recv.count()) {
            throw new IllegalArgumentException("recv has " + recv.count() + " elements but allgather needs size ×"
                    + " send count = " + size + " × " + send.count() + " = " + (long) send.count() * size);
        }
        Algorithm a = algorithm(CollectiveKind.ALLGATHER, options, recv);
        return dispatch(later, "allgather", seq -> doAllgather(seq, a, send, recv, options));
    }

    private void doAllgather(long seq, Algorithm a, ElementBuffer send, ElementBuffer recv, CollectiveOptions o) {
        int n = send.count();
        ctx.header().set(CollectiveKind.ALLGATHER, seq, send.type(), recv.count(), null, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        if (size == 1) {
            send.copyTo(0, recv, 0, n);
            return;
        }
        ctx.segmentBytes(segment(o));
        registry.run(CollectiveKind.ALLGATHER, a, ctx, send, recv, null, Header.NO_ROOT);
    }

    // ------------------------------------------------------------------------------------------- dup

    @Override
    public Communicator dup() {
        Transport made = newContext("dup()");
        log.debug("rank {} made a new context on its {} communicator", rank, transport.name());
        return new TransportCommunicator(made, config);
    }

    @Override
    public Communicator split(int color, int key) {
        requireContexts("split()");
        int[] all = new int[2 * size];
        allgather(ElementBuffer.of(new int[] {color, key}), ElementBuffer.of(all), CollectiveOptions.DEFAULT);
        Transport made = newContext("split()");
        if (color < 0) {
            made.close();
            return null;
        }
        int members = 0;
        for (int q = 0; q < size; q++) {
            if (all[2 * q] == color) {
                members++;
            }
        }
        // Insertion order by (key, parent rank): groups are small and this runs once.
        int[] order = new int[members];
        int m = 0;
        for (int q = 0; q < size; q++) {
            if (all[2 * q] != color) {
                continue;
            }
            int i = m++;
            while (i > 0 && all[2 * order[i - 1] + 1] > all[2 * q + 1]) {
                order[i] = order[i - 1];
                i--;
            }
            order[i] = q;
        }
        int mine = 0;
        while (order[mine] != rank) {
            mine++;
        }
        log.debug("rank {} is rank {} of {} in split color {}", rank, mine, members, color);
        return new TransportCommunicator(new SubgroupTransport(made, order, mine), config);
    }

    private void requireContexts(String what) {
        if (!transport.canDup()) {
            throw new UnsupportedOperationException("the " + transport.name() + " transport has no communication"
                    + " contexts: " + what + " needs the in-JVM or TCP transport");
        }
    }

    /** This rank's endpoint of a new communication context on the whole group (collective). */
    private Transport newContext(String what) {
        requireContexts(what);
        Transport[] made = new Transport[1];
        long[] value = new long[1];
        ElementBuffer one = ElementBuffer.of(value);
        runBlocking("dup", seq -> {
            ctx.header().set(CollectiveKind.DUP, seq, ElementType.LONG, 1, null, 0, Algorithm.TREE);
            made[0] = transport.dup(mine -> {
                value[0] = mine;
                if (size > 1) {
                    registry.run(CollectiveKind.BROADCAST, Algorithm.TREE, ctx, null, one, null, 0);
                }
                return value[0];
            });
        });
        return made[0];
    }

    // ------------------------------------------------------------------------------------------- user reductions

    @Override
    public void allreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        userReduce(false, true, send, recv, op, 0, options);
    }

    @Override
    public Request iallreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options) {
        return userReduce(true, true, send, recv, op, 0, options);
    }

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions options) {
        userReduce(false, false, send, recv, op, root, options);
    }

    @Override
    public Request ireduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions options) {
        return userReduce(true, false, send, recv, op, root, options);
    }

    private Request userReduce(boolean later, boolean all, ElementBuffer send, ElementBuffer recv, UserReduction op,
            int root, CollectiveOptions o) {
        checkOptions(o);
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a UserReduction");
        }
        checkRoot(root);
        CollectiveKind kind = all ? CollectiveKind.ALLREDUCE : CollectiveKind.REDUCE;
        Algorithm a = o.algorithm();
        if (a != Algorithm.AUTO && a != Algorithm.TREE) {
            throw new IllegalArgumentException("the " + a.cliName() + " algorithm cannot run the user reduction '"
                    + op.name() + "'" + (op.isCommutative() ? ": user reductions run on the tree algorithm"
                            : ": it combines the ranks' operands out of rank order, and the reduction is not"
                                    + " commutative") + "; use auto or tree");
        }
        if (o.compression() != Compression.NONE) {
            throw new IllegalArgumentException("a user reduction cannot be compressed");
        }
        ElementBuffer input = send != null ? send : recv;
        if (input == null) {
            throw new IllegalArgumentException("send and recv are null: pass this rank's contribution");
        }
        boolean receives = all || rank == root;
        if (send == null && !receives) {
            throw new IllegalArgumentException("send is null on rank " + rank + ", which is not the root " + root
                    + ": pass this rank's contribution as send");
        }
        if (receives) {
            checkWritable(recv, "recv");
            checkSendRecv(send, recv, recv.count(), kind.label());
        }
        ElementBuffer result = receives ? recv : null;
        return dispatch(later, kind.label(), seq -> {
            int n = input.count();
            ctx.header().set(kind, seq, input.type(), n, ReduceOp.USER, all ? Header.NO_ROOT : root,
                    Algorithm.TREE);
            if (n == 0) {
                return;
            }
            if (size == 1) {
                if (!input.sameRegion(result)) {
                    input.copyTo(0, result, 0, n);
                }
                return;
            }
            OrderedBinomialReduce.reduce(ctx, input, all ? (rank == 0 ? result : null) : result, op,
                    all ? 0 : root);
            if (all) {
                registry.run(CollectiveKind.BROADCAST, Algorithm.TREE, ctx, null, result, null, 0);
            }
        });
    }

    // ------------------------------------------------------------------------------------------- MINLOC, MAXLOC

    /** Each rank's own values during an allreduceLoc (the first pass overwrites them); grown as needed. */
    private ElementBuffer locValues;

    @Override
    public void allreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options) {
        allreduceLoc(false, values, indices, op, options);
    }

    @Override
    public Request iallreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op,
            CollectiveOptions options) {
        return allreduceLoc(true, values, indices, op, options);
    }

    private Request allreduceLoc(boolean later, ElementBuffer values, ElementBuffer indices, ReduceOp op,
            CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        if (op != ReduceOp.MINLOC && op != ReduceOp.MAXLOC) {
            throw new IllegalArgumentException("allreduceLoc takes MINLOC or MAXLOC, got " + op);
        }
        checkWritable(values, "values");
        checkWritable(indices, "indices");
        if (indices.type() != ElementType.INT) {
            throw new IllegalArgumentException("indices holds " + indices.type().label() + "s: pass int indices");
        }
        if (values.count() != indices.count()) {
            throw new IllegalArgumentException("values has " + values.count() + " elements but indices "
                    + indices.count() + ": pass one index per value");
        }
        if (o.compression() != Compression.NONE) {
            throw new IllegalArgumentException("allreduceLoc cannot be compressed: its results must be exact");
        }
        Algorithm av = algorithm(CollectiveKind.ALLREDUCE, o, values);
        Algorithm ai = algorithm(CollectiveKind.ALLREDUCE, o, indices);
        ReduceOp extreme = op == ReduceOp.MINLOC ? ReduceOp.MIN : ReduceOp.MAX;
        return dispatch(later, "allreduceLoc", 2, seq -> {
            int n = values.count();
            ctx.header().set(CollectiveKind.ALLREDUCE, seq, values.type(), n, op, Header.NO_ROOT, av);
            if (n == 0 || size == 1) {
                return;
            }
            if (locValues == null || locValues.type() != values.type() || locValues.count() < n) {
                locValues = ElementBuffer.allocate(values.type(), n);
            }
            values.copyTo(0, locValues, 0, n);
            ctx.segmentBytes(segment(o));
            ctx.bcubeBase(bcubeBase(o));
            // Pass 1: the extreme value. Pass 2: the lowest index among the ranks that hold it.
            registry.run(CollectiveKind.ALLREDUCE, av, ctx, null, values, extreme, Header.NO_ROOT);
            boolean floating = !values.type().isInteger();
            for (int i = 0; i < n; i++) {
                boolean holds = floating ? sameValue(locValues.get(i), values.get(i))
                        : locValues.getLong(i) == values.getLong(i);
                if (!holds) {
                    indices.setLong(i, Integer.MAX_VALUE);
                }
            }
            ctx.header().set(CollectiveKind.ALLREDUCE, seq + 1, ElementType.INT, n, op, Header.NO_ROOT, ai);
            registry.run(CollectiveKind.ALLREDUCE, ai, ctx, null, indices, ReduceOp.MIN, Header.NO_ROOT);
        });
    }

    /** Equal as {@code ==} compares (so −0.0 ties with +0.0), with NaN matching NaN (NaN wins MIN and MAX). */
    private static boolean sameValue(double mine, double result) {
        return mine == result || (mine != mine && result != result);
    }

    // ------------------------------------------------------------------------------------------- gather, scatter

    @Override
    public void gather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        gather(false, send, recv, root, options);
    }

    @Override
    public Request igather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        return gather(true, send, recv, root, options);
    }

    private Request gather(boolean later, ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions o) {
        checkOptions(o);
        checkRoot(root);
        ElementBuffer mine = send;
        if (rank == root) {
            checkWritable(recv, "recv");
            if (recv.count() % size != 0) {
                throw new IllegalArgumentException("recv has " + recv.count() + " elements, not a multiple of the"
                        + " group size " + size + ": gather's root receives size × send count elements");
            }
            int n = recv.count() / size;
            if (send == null) {
                mine = recv.slice(root * n, n);
            } else {
                checkSameType(send, recv);
                if ((long) send.count() * size != recv.count()) {
                    throw new IllegalArgumentException("recv has " + recv.count() + " elements but gather needs"
                            + " size × send count = " + size + " × " + send.count() + " = "
                            + (long) send.count() * size);
                }
                checkNoOverlap(send, recv, "gather");
            }
        } else if (send == null) {
            throw new IllegalArgumentException("send is null on rank " + rank + ", which is not the root " + root
                    + ": only the root may gather in place");
        }
        ElementBuffer contribution = mine;
        ElementBuffer result = rank == root ? recv : null;
        long total = (long) contribution.count() * size;
        Algorithm a = algorithm(CollectiveKind.GATHER, o, contribution.byteSize() * size);
        return dispatch(later, "gather", seq -> {
            ctx.header().set(CollectiveKind.GATHER, seq, contribution.type(), total, null, root, a);
            if (total == 0) {
                return;
            }
            if (size == 1) {
                contribution.copyTo(0, result, 0, contribution.count());
                return;
            }
            registry.run(CollectiveKind.GATHER, a, ctx, contribution, result, null, root);
        });
    }

    @Override
    public void scatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        scatter(false, send, recv, root, options);
    }

    @Override
    public Request iscatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options) {
        return scatter(true, send, recv, root, options);
    }

    private Request scatter(boolean later, ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions o) {
        checkOptions(o);
        checkRoot(root);
        ElementBuffer mine = recv;
        if (rank == root) {
            checkBuffer(send, "send");
            if (send.count() % size != 0) {
                throw new IllegalArgumentException("send has " + send.count() + " elements, not a multiple of the"
                        + " group size " + size + ": scatter's root sends size × recv count elements");
            }
            int n = send.count() / size;
            if (recv == null) {
                mine = send.slice(root * n, n);
            } else {
                checkWritable(recv, "recv");
                checkSameType(send, recv);
                if ((long) recv.count() * size != send.count()) {
                    throw new IllegalArgumentException("send has " + send.count() + " elements but scatter needs"
                            + " size × recv count = " + size + " × " + recv.count() + " = "
                            + (long) recv.count() * size);
                }
                checkNoOverlap(send, recv, "scatter");
            }
        } else {
            checkWritable(recv, "recv");
        }
        ElementBuffer result = mine;
        ElementBuffer source = rank == root ? send : null;
        long total = (long) result.count() * size;
        Algorithm a = algorithm(CollectiveKind.SCATTER, o, result.byteSize() * size);
        return dispatch(later, "scatter", seq -> {
            ctx.header().set(CollectiveKind.SCATTER, seq, result.type(), total, null, root, a);
            if (total == 0) {
                return;
            }
            if (size == 1) {
                source.copyTo(0, result, 0, result.count());
                return;
            }
            registry.run(CollectiveKind.SCATTER, a, ctx, source, result, null, root);
        });
    }

    // ------------------------------------------------------------------------------------------- all-to-all

    @Override
    public void alltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        alltoall(false, send, recv, options);
    }

    @Override
    public Request ialltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        return alltoall(true, send, recv, options);
    }

    private Request alltoall(boolean later, ElementBuffer send, ElementBuffer recv, CollectiveOptions o) {
        checkOptions(o);
        checkWritable(recv, "recv");
        ElementBuffer shape = send == null ? recv : send;
        checkSameType(shape, recv);
        if (shape.count() != recv.count() || recv.count() % size != 0) {
            throw new IllegalArgumentException("send has " + shape.count() + " elements and recv " + recv.count()
                    + ": alltoall needs both to hold size × block elements (size " + size + ")");
        }
        if (send != null) {
            checkNoOverlap(send, recv, "alltoall");
        }
        Algorithm a = algorithm(CollectiveKind.ALLTOALL, o, recv);
        return dispatch(later, "alltoall", seq -> {
            int n = recv.count();
            ctx.header().set(CollectiveKind.ALLTOALL, seq, recv.type(), n, null, Header.NO_ROOT, a);
            if (n == 0 || (size == 1 && send == null)) {
                return;
            }
            ElementBuffer input = send;
            if (input == null) {
                // In place: the algorithms read every block after writing some, so they read a copy.
                if (inPlaceCopy == null || inPlaceCopy.type() != recv.type() || inPlaceCopy.count() < n) {
                    inPlaceCopy = ElementBuffer.allocate(recv.type(), n);
                }
                input = inPlaceCopy.slice(0, n);
                recv.copyTo(0, input, 0, n);
            }
            if (size == 1) {
                input.copyTo(0, recv, 0, n);
                return;
            }
            registry.run(CollectiveKind.ALLTOALL, a, ctx, input, recv, null, Header.NO_ROOT);
        });
    }

    /** The input of an in-place alltoall, copied before it is overwritten; grown as needed. */
    private ElementBuffer inPlaceCopy;

    // ------------------------------------------------------------------------------------------- scan, exscan

    @Override
    public void scan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        scan(false, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public Request iscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return scan(true, CollectiveKind.SCAN, send, recv, op, options);
    }

    @Override
    public void exscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        scan(false, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    @Override
    public Request iexscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        return scan(true, CollectiveKind.EXSCAN, send, recv, op, options);
    }

    private Request scan(boolean later, CollectiveKind kind, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        checkReducible(recv, op, "recv");
        if (op == ReduceOp.AVG) {
            throw new IllegalArgumentException("op AVG has no prefix form: use SUM and divide by rank + 1");
        }
        checkSendRecv(send, recv, recv.count(), kind.label());
        ElementBuffer input = send == null ? recv : send;
        Algorithm a = algorithm(kind, o, recv);
        return dispatch(later, kind.label(), seq -> {
            ctx.header().set(kind, seq, recv.type(), recv.count(), op, Header.NO_ROOT, a);
            if (recv.count() == 0) {
                return;
            }
            if (size == 1) {
                if (kind == CollectiveKind.SCAN && !input.sameRegion(recv)) {
                    input.copyTo(0, recv, 0, recv.count());
                }
                return;
            }
            registry.run(kind, a, ctx, input, recv, op, Header.NO_ROOT);
        });
    }

    // ------------------------------------------------------------------------------------------- v-forms

    @Override
    public void allgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options) {
        allgatherv(false, send, recv, recvCounts, displs, options);
    }

    @Override
    public Request iallgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options) {
        return allgatherv(true, send, recv, recvCounts, displs, options);
    }

    private Request allgatherv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts,
            int[] displs, CollectiveOptions o) {
        checkOptions(o);
        checkWritable(recv, "recv");
        int[] counts = counts(recvCounts, "recvCounts");
        int[] at = displacements(counts, displs, recv, "recvCounts", "displs");
        ElementBuffer mine = send == null ? recv.slice(at[rank], counts[rank]) : send;
        if (send != null) {
            checkSameType(send, recv);
            checkNoOverlap(send, recv, "allgatherv");
        }
        checkOwnCount(mine, counts, "send", "recvCounts");
        long total = sum(counts);
        Algorithm a = algorithm(CollectiveKind.ALLGATHERV, o, total * recv.type().bytes());
        return dispatch(later, "allgatherv", seq -> {
            ctx.header().set(CollectiveKind.ALLGATHERV, seq, recv.type(), total, null, Header.NO_ROOT, a);
            if (size == 1) {
                mine.copyTo(0, recv, at[0], counts[0]);
                return;
            }
            ctx.layout(null, null, counts, at);
            registry.run(CollectiveKind.ALLGATHERV, a, ctx, mine, recv, null, Header.NO_ROOT);
        });
    }

    @Override
    public void gatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options) {
        gatherv(false, send, recv, recvCounts, displs, root, options);
    }

    @Override
    public Request igatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options) {
        return gatherv(true, send, recv, recvCounts, displs, root, options);
    }

    private Request gatherv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            int root, CollectiveOptions o) {
        checkOptions(o);
        checkRoot(root);
        int[] counts = null;
        int[] at = null;
        ElementBuffer mine = send;
        if (rank == root) {
            checkWritable(recv, "recv");
            counts = counts(recvCounts, "recvCounts");
            at = displacements(counts, displs, recv, "recvCounts", "displs");
            if (send == null) {
                mine = recv.slice(at[rank], counts[rank]);
            } else {
                checkSameType(send, recv);
                checkNoOverlap(send, recv, "gatherv");
            }
            checkOwnCount(mine, counts, "send", "recvCounts");
        } else {
            checkBuffer(send, "send");
        }
        ElementBuffer contribution = mine;
        ElementBuffer result = rank == root ? recv : null;
        int[] c = counts;
        int[] d = at;
        Algorithm a = algorithm(CollectiveKind.GATHERV, o, contribution.byteSize() * size);
        return dispatch(later, "gatherv", seq -> {
            // The counts are the root's alone: each message's size is checked against them where it arrives.
            ctx.header().set(CollectiveKind.GATHERV, seq, contribution.type(), 0, null, root, a);
            if (size == 1) {
                contribution.copyTo(0, result, d[0], c[0]);
                return;
            }
            ctx.layout(null, null, c, d);
            registry.run(CollectiveKind.GATHERV, a, ctx, contribution, result, null, root);
        });
    }

    @Override
    public void scatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options) {
        scatterv(false, send, sendCounts, displs, recv, root, options);
    }

    @Override
    public Request iscatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options) {
        return scatterv(true, send, sendCounts, displs, recv, root, options);
    }

    private Request scatterv(boolean later, ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv,
            int root, CollectiveOptions o) {
        checkOptions(o);
        checkRoot(root);
        int[] counts = null;
        int[] at = null;
        ElementBuffer mine = recv;
        if (rank == root) {
            checkBuffer(send, "send");
            counts = counts(sendCounts, "sendCounts");
            at = displacements(counts, displs, send, "sendCounts", "displs");
            if (recv == null) {
                mine = send.slice(at[rank], counts[rank]);
            } else {
                checkWritable(recv, "recv");
                checkSameType(send, recv);
                checkNoOverlap(send, recv, "scatterv");
            }
            checkOwnCount(mine, counts, "recv", "sendCounts");
        } else {
            checkWritable(recv, "recv");
        }
        ElementBuffer result = mine;
        ElementBuffer source = rank == root ? send : null;
        int[] c = counts;
        int[] d = at;
        Algorithm a = algorithm(CollectiveKind.SCATTERV, o, result.byteSize() * size);
        return dispatch(later, "scatterv", seq -> {
            ctx.header().set(CollectiveKind.SCATTERV, seq, result.type(), 0, null, root, a);
            if (size == 1) {
                source.copyTo(d[0], result, 0, c[0]);
                return;
            }
            ctx.layout(c, d, null, null);
            registry.run(CollectiveKind.SCATTERV, a, ctx, source, result, null, root);
        });
    }

    @Override
    public void alltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv,
            int[] recvCounts, int[] recvDispls, CollectiveOptions options) {
        alltoallv(false, send, sendCounts, sendDispls, recv, recvCounts, recvDispls, options);
    }

    @Override
    public Request ialltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv,
            int[] recvCounts, int[] recvDispls, CollectiveOptions options) {
        return alltoallv(true, send, sendCounts, sendDispls, recv, recvCounts, recvDispls, options);
    }

    private Request alltoallv(boolean later, ElementBuffer send, int[] sendCounts, int[] sendDispls,
            ElementBuffer recv, int[] recvCounts, int[] recvDispls, CollectiveOptions o) {
        checkOptions(o);
        checkBuffer(send, "send");
        checkWritable(recv, "recv");
        checkSameType(send, recv);
        checkNoOverlap(send, recv, "alltoallv");
        int[] sc = counts(sendCounts, "sendCounts");
        int[] sd = displacements(sc, sendDispls, send, "sendCounts", "sendDispls");
        int[] rc = counts(recvCounts, "recvCounts");
        int[] rd = displacements(rc, recvDispls, recv, "recvCounts", "recvDispls");
        if (sc[rank] != rc[rank]) {
            throw new IllegalArgumentException("sendCounts[" + rank + "] = " + sc[rank] + " but recvCounts[" + rank
                    + "] = " + rc[rank] + ": the block a rank sends itself must fit what it receives from itself");
        }
        Algorithm a = algorithm(CollectiveKind.ALLTOALLV, o, sum(sc) * send.type().bytes());
        return dispatch(later, "alltoallv", seq -> {
            // Each rank's counts are its own: each message's size is checked against them where it arrives.
            ctx.header().set(CollectiveKind.ALLTOALLV, seq, send.type(), 0, null, Header.NO_ROOT, a);
            ctx.layout(sc, sd, rc, rd);
            if (size == 1) {
                send.copyTo(sd[0], recv, rd[0], sc[0]);
                return;
            }
            registry.run(CollectiveKind.ALLTOALLV, a, ctx, send, recv, null, Header.NO_ROOT);
        });
    }

    @Override
    public void reduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options) {
        reduceScatterv(false, send, recv, recvCounts, op, options);
    }

    @Override
    public Request ireduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options) {
        return reduceScatterv(true, send, recv, recvCounts, op, options);
    }

    private Request reduceScatterv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts,
            ReduceOp op, CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        checkBuffer(send, "send");
        checkReducible(recv, op, "recv");
        checkSameType(send, recv);
        checkNoOverlap(send, recv, "reduceScatterv");
        int[] counts = counts(recvCounts, "recvCounts");
        long total = sum(counts);
        if (send.count() != total) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but the recvCounts add up to "
                    + total + ": reduceScatterv reduces the sum of the counts");
        }
        checkOwnCount(recv, counts, "recv", "recvCounts");
        int[] at = displacements(counts, null, send, "recvCounts", "displs");
        Algorithm a = algorithm(CollectiveKind.REDUCE_SCATTERV, o, send);
        return dispatch(later, "reduceScatterv", seq -> {
            ctx.header().set(CollectiveKind.REDUCE_SCATTERV, seq, send.type(), total, op, Header.NO_ROOT, a);
            if (size == 1) {
                send.copyTo(0, recv, 0, counts[0]);
            } else {
                ctx.layout(null, null, counts, at);
                registry.run(CollectiveKind.REDUCE_SCATTERV, a, ctx, send, recv, op.wireOp(), Header.NO_ROOT);
            }
            if (op == ReduceOp.AVG) {
                recv.divide(0, counts[rank], size);
            }
        });
    }

    // ------------------------------------------------------------------------------------------- v-form checks

    /** A copy of {@code counts} (the caller may reuse its array at once), checked: one per rank, none negative. */
    private int[] counts(int[] counts, String name) {
        if (counts == null) {
            throw new IllegalArgumentException(name + " is null: pass one count per rank");
        }
        if (counts.length != size) {
            throw new IllegalArgumentException(name + " has " + counts.length + " entries for a group of " + size
                    + " ranks: pass one count per rank");
        }
        for (int q = 0; q < size; q++) {
            if (counts[q] < 0) {
                throw new IllegalArgumentException(name + "[" + q + "] is " + counts[q] + ": counts must be >= 0");
            }
        }
        return counts.clone();
    }

    /**
     * A copy of {@code displs} checked against {@code buf} (every block inside it), or, when null, the packed
     * displacements of {@code counts} (block q right after block q−1).
     */
    private int[] displacements(int[] counts, int[] displs, ElementBuffer buf, String countsName, String name) {
        if (displs != null && displs.length != size) {
            throw new IllegalArgumentException(name + " has " + displs.length + " entries for a group of " + size
                    + " ranks: pass one displacement per rank, or null for packed blocks");
        }
        int[] at = new int[size];
        long next = 0;
        for (int q = 0; q < size; q++) {
            long start = displs == null ? next : displs[q];
            if (start < 0 || start + counts[q] > buf.count()) {
                throw new IllegalArgumentException("block " + q + " (" + name + " " + start + ", " + countsName + " "
                        + counts[q] + ") is outside a buffer of " + buf.count() + " elements");
            }
            at[q] = (int) start;
            next = start + counts[q];
        }
        return at;
    }

    private void checkOwnCount(ElementBuffer mine, int[] counts, String name, String countsName) {
        if (mine.count() != counts[rank]) {
            throw new IllegalArgumentException(name + " has " + mine.count() + " elements but " + countsName + "["
                    + rank + "] = " + counts[rank] + " on rank " + rank + ": they must agree");
        }
    }

    private static long sum(int[] counts) {
        long s = 0;
        for (int c : counts) {
            s += c;
        }
        return s;
    }

    private static void checkWritable(ElementBuffer b, String name) {
        checkBuffer(b, name);
        if (!b.isWritable()) {
            throw new IllegalArgumentException(name + " is read-only: the result is written into it");
        }
    }

    private static void checkSameType(ElementBuffer send, ElementBuffer recv) {
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
    }

    private static void checkNoOverlap(ElementBuffer send, ElementBuffer recv, String what) {
        if (send.mayOverlap(recv)) {
            throw new IllegalArgumentException("send and recv overlap: " + what + " needs separate buffers (or the"
                    + " in-place form where it has one)");
        }
    }

    // ------------------------------------------------------------------------------------------- barrier, custom

    @Override
    public void barrier() {
        barrier(false);
    }

    @Override
    public Request ibarrier() {
        return barrier(true);
    }

    private Request barrier(boolean later) {
        Algorithm a = algorithm(CollectiveKind.BARRIER, CollectiveOptions.DEFAULT, 0);
        return dispatch(later, "barrier", seq -> {
            ctx.header().set(CollectiveKind.BARRIER, seq, ElementType.BYTE, 0, null, Header.NO_ROOT, a);
            if (size > 1) {
                registry.run(CollectiveKind.BARRIER, a, ctx, null, null, null, Header.NO_ROOT);
            }
        });
    }

    @Override
    public Request submit(CustomCollective collective) {
        if (collective == null) {
            throw new IllegalArgumentException("collective is null");
        }
        return runLater("submit", seq -> {
            ctx.header().set(CollectiveKind.EXTERNAL, seq, ElementType.BYTE, 0, null, Header.NO_ROOT,
                    Algorithm.AUTO);
            ctx.segmentBytes(config.segmentBytes());
            collective.run(ctx);
        });
    }

    // ------------------------------------------------------------------------------------------- checks

    private static void checkOptions(CollectiveOptions options) {
        if (options == null) {
            throw new IllegalArgumentException("options is null: pass CollectiveOptions.DEFAULT");
        }
    }

    /**
     * The algorithm a collective of {@code kind} moving {@code bytes} runs with {@code options}, checked against the
     * registry for this transport: an algorithm it lacks fails here, at the call, before anything is sent.
     */
    private Algorithm algorithm(CollectiveKind kind, CollectiveOptions options, long bytes) {
        Algorithm a = resolve(kind, options.algorithm(), bytes);
        registry.require(kind, a, transport);
        if (a == Algorithm.BCUBE) {
            BcubeAllreduce.levels(size, bcubeBase(options));
        }
        return a;
    }

    /**
     * As {@link #algorithm(CollectiveKind, CollectiveOptions, long)} for a collective moving {@code data}; the
     * transport's own collectives (mpj-native) take only float and double elements.
     */
    private Algorithm algorithm(CollectiveKind kind, CollectiveOptions options, ElementBuffer data) {
        Algorithm a = algorithm(kind, options, data.byteSize());
        if (a == Algorithm.NATIVE && data.type() != ElementType.FLOAT && data.type() != ElementType.DOUBLE) {
            throw new IllegalArgumentException(kind.label() + " of " + data.type().label() + " elements has no "
                    + a.cliName() + " algorithm: the transport's own collectives take float or double elements;"
                    + " use auto or one of ringsgd's algorithms");
        }
        return a;
    }

    private int segment(CollectiveOptions o) {
        return o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes();
    }

    private static void checkOp(ReduceOp op) {
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a ReduceOp (SUM, PROD, MIN, MAX or AVG)");
        }
    }

    private static void checkBuffer(ElementBuffer b, String name) {
        if (b == null) {
            throw new IllegalArgumentException(name + " is null");
        }
    }

    private static void checkOpType(ReduceOp op, ElementType type) {
        if (op == ReduceOp.MINLOC || op == ReduceOp.MAXLOC) {
            throw new IllegalArgumentException("op " + op + " pairs values with indices: call allreduceLoc");
        }
        if (op == ReduceOp.USER) {
            throw new IllegalArgumentException("op USER marks user reductions on the wire: pass the UserReduction"
                    + " itself");
        }
        if (!op.appliesTo(type)) {
            throw new IllegalArgumentException("op " + op + " does not apply to " + type.label() + " elements: "
                    + (type.isInteger() ? "AVG is for float and double; use SUM and divide"
                            : "bitwise and logical ops (BAND, BOR, BXOR, LAND, LOR) are for int, long and byte"));
        }
    }

    private static void checkReducible(ElementBuffer b, ReduceOp op, String name) {
        checkBuffer(b, name);
        checkOpType(op, b.type());
        if (!b.isWritable()) {
            throw new IllegalArgumentException(name + " is read-only: the result is written into it");
        }
    }

    private static void checkSendRecv(ElementBuffer send, ElementBuffer recv, int count, String what) {
        if (send == null) {
            return;
        }
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
        if (send.count() != count || recv.count() != count) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but recv has "
                    + recv.count() + ": an out-of-place " + what + " needs equal counts");
        }
        if (send.mayOverlap(recv) && !send.sameRegion(recv)) {
            throw new IllegalArgumentException("send and recv overlap without being the same elements: use the"
                    + " in-place form (send null) or separate buffers");
        }
    }

    private void checkRoot(int root) {
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("root " + root + " is out of range for a group of " + size
                    + " ranks (0.." + (size - 1) + ")");
        }
    }

    private Algorithm resolve(CollectiveKind kind, Algorithm requested, long bytes) {
        Algorithm a = requested;
        if (a == Algorithm.AUTO && kind == CollectiveKind.ALLREDUCE) {
            a = config.allreduceAlgorithm();
        }
        if (a == Algorithm.AUTO) {
            a = config.table().select(kind, bytes, size);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------- sequencing

    /** A collective body, given its sequence number. */
    @FunctionalInterface
    private interface Body {
        void run(long seq);
    }

    private static final class Op {
        final Body body;
        final FutureRequest request = new FutureRequest();
        long ticket;
        int caller;

        /** Sequence numbers the collective uses (seq .. seq + width − 1): 2 for the two passes of allreduceLoc. */
        final int width;

        Op(Body body, int width) {
            this.body = body;
            this.width = width;
        }
    }

    /** Runs {@code body} now (blocking: returns null) or queues it on the progress thread (returns its request). */
    private Request dispatch(boolean later, String what, Body body) {
        return dispatch(later, what, 1, body);
    }

    /**
     * As above for a collective made of {@code width} steps, each with a sequence number of its own (seq .. seq +
     * width − 1), so that a rank running ahead into the next step is told apart from a disagreement.
     */
    private Request dispatch(boolean later, String what, int width, Body body) {
        if (later) {
            return runLater(what, width, body);
        }
        runBlocking(what, width, body);
        return null;
    }

    private void runBlocking(String what, Body body) {
        runBlocking(what, 1, body);
    }

    private void runBlocking(String what, int width, Body body) {
        long ticket;
        int caller;
        boolean interrupted = false;
        synchronized (turn) {
            caller = issue(what);
            ticket = nextTicket;
            nextTicket += width;
            while (serving != ticket) {
                try {
                    turn.wait();
                } catch (InterruptedException e) {
                    // The ticket must still be served or every later collective would mismatch.
                    interrupted = true;
                }
            }
        }
        try {
            execute(ticket, caller, body);
        } finally {
            advance(width);
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Request runLater(String what, Body body) {
        return runLater(what, 1, body);
    }

    private Request runLater(String what, int width, Body body) {
        Op op = new Op(body, width);
        synchronized (turn) {
            op.caller = issue(what);
            op.ticket = nextTicket;
            nextTicket += width;
            queue.addLast(op);
            if (engine == null) {
                engine = new Thread(this::engineLoop, "ringsgd-progress-" + transport.name() + "-r" + rank);
                engine.setDaemon(true);
                engine.setPriority(Thread.MAX_PRIORITY);
                engine.start();
            }
            turn.notifyAll();
        }
        return op.request;
    }

    /**
     * Admits a call from the current thread (holding {@link #turn}) and returns how many times the calling thread has
     * changed. A thread may take over the communicator only when every collective the previous one issued has
     * completed; otherwise two threads are calling at the same time, which nothing could order the same way on every
     * rank, and the communicator fails on every rank.
     */
    private int issue(String what) {
        checkOpen();
        Thread me = Thread.currentThread();
        if (issuer != me) {
            if (serving != nextTicket) {
                String msg = "rank " + rank + ": thread '" + me.getName() + "' called " + what + " while collective #"
                        + (nextTicket - 1) + " (" + issued + ") that thread '" + issuer.getName() + "' called has not"
                        + " completed: two threads called collectives on one communicator at the same time, which"
                        + " would pair their calls differently on different ranks. A communicator takes collectives"
                        + " from one thread at a time: make the threads take turns (each waiting for the other's"
                        + " collectives to complete, at the same collectives on every rank), or give each its own"
                        + " group of communicators";
                // Fail every rank before this call returns, so that no rank completes the collective in flight.
                transport.abort(new CollectiveException(msg));
                throw new IllegalStateException(msg);
            }
            if (issuer != null) {
                callerChanges++;
            }
            issuer = me;
        }
        issued = what;
        return callerChanges;
    }

    /**
     * The request of the background collective running now, or null while a blocking one runs (whose caller waits by
     * definition) or none does.
     */
    private volatile FutureRequest running;

    /** True while a thread waits for the collective being run: the transport's spin policy. */
    private boolean urgent() {
        FutureRequest r = running;
        return r == null || r.awaited();
    }

    private void engineLoop() {
        while (true) {
            Op op;
            synchronized (turn) {
                while (queue.isEmpty() && !closed) {
                    waitOn(turn);
                }
                if (queue.isEmpty()) {
                    return;
                }
                op = queue.pollFirst();
                while (serving != op.ticket) {
                    waitOn(turn);
                }
            }
            running = op.request;
            try {
                execute(op.ticket, op.caller, op.body);
                op.request.complete();
            } catch (Throwable e) {
                op.request.fail(e);
            } finally {
                running = null;
                advance(op.width);
            }
        }
    }

    private static void waitOn(Object lock) {
        try {
            lock.wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void advance(int width) {
        synchronized (turn) {
            serving += width;
            turn.notifyAll();
        }
    }

    private void execute(long seq, int caller, Body body) {
        CollectiveException failed = transport.failure();
        if (failed != null) {
            throw failed;
        }
        long t0 = tracer.on() ? System.nanoTime() : 0;
        try {
            ctx.header().caller(caller);
            body.run(seq);
            if (t0 != 0) {
                Header h = ctx.header();
                tracer.span(rank, traceName(h.kind(), h.algorithm()), t0, System.nanoTime(), seq,
                        h.count() * h.type().bytes());
            }
        } catch (CollectiveException e) {
            transport.abort(e);
            throw e;
        } catch (RuntimeException | Error e) {
            CollectiveException ce = new CollectiveException("rank " + rank + " failed inside collective #" + seq
                    + " (" + ctx.header().describe() + "): " + e, e);
            transport.abort(ce);
            throw ce;
        }
    }

    /** The span name of a collective of {@code kind} run by {@code a}, registered on first use. */
    private int traceName(CollectiveKind kind, Algorithm a) {
        int id = traceNames[kind.ordinal()][a.ordinal()];
        if (id < 0) {
            id = tracer.name(kind.label() + " " + a.cliName(), "seq", "bytes");
            traceNames[kind.ordinal()][a.ordinal()] = id;
        }
        return id;
    }

    private void checkOpen() {
        if (closed) {
            throw new CollectiveException("rank " + rank + "'s communicator is closed");
        }
    }

    @Override
    public Tracer tracer() {
        return tracer;
    }

    @Override
    public void close() {
        Thread t;
        synchronized (turn) {
            if (closed) {
                return;
            }
            closed = true;
            t = engine;
            turn.notifyAll();
        }
        if (t != null && t != Thread.currentThread()) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        transport.close();
        log.debug("rank {} closed its {} communicator", rank, transport.name());
    }

    @Override
    public String toString() {
        return "communicator rank " + rank + "/" + size + " over " + transport.name();
    }
}

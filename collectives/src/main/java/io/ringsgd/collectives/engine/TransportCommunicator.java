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
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import io.ringsgd.collectives.algorithm.CollectiveAlgorithms;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.CompressedRingAllreduce;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.transport.Header;
import io.ringsgd.collectives.transport.NativeCollectives;
import io.ringsgd.collectives.transport.Transport;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Communicator} over any {@link Transport}: validates arguments, gives every collective a ticket (its
 * sequence number, identical on all ranks because all ranks issue the same collectives in the same order), resolves
 * AUTO through the algorithm table, and runs collectives strictly in ticket order: blocking ones on the calling thread,
 * non-blocking ones on one progress thread per communicator, started on first use.
 */
public final class TransportCommunicator implements Communicator {
    private static final Logger log = LoggerFactory.getLogger(TransportCommunicator.class);

    private final Transport transport;
    private final CommunicatorConfig config;
    private final CollectiveContext ctx;
    private final CollectiveAlgorithms algorithms = new CollectiveAlgorithms();
    private final CompressedRingAllreduce compressed = new CompressedRingAllreduce();
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

    public TransportCommunicator(Transport transport, CommunicatorConfig config) {
        this.transport = transport;
        this.config = config;
        this.rank = transport.rank();
        this.size = transport.size();
        this.ctx = new CollectiveContext(transport, config.segmentBytes(), config.window());
        this.tracer = config.tracer();
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

    /** The transport underneath (benchmarks, diagnostics). */
    public Transport transport() {
        return transport;
    }

    public CommunicatorConfig config() {
        return config;
    }

    // ------------------------------------------------------------------------------------------- allreduce

    @Override
    public void allreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        checkAllreduce(send, recv, op, options);
        runBlocking(seq -> doAllreduce(seq, send, recv, op, options));
    }

    @Override
    public Request iallreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        checkAllreduce(send, recv, op, options);
        return runLater(seq -> doAllreduce(seq, send, recv, op, options));
    }

    private void checkAllreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        checkOptions(options, CollectiveKind.ALLREDUCE);
        checkOp(op);
        checkReducible(recv, "recv");
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
        }
    }

    private void doAllreduce(long seq, ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions o) {
        int n = recv.count();
        long bytes = recv.byteSize();
        Algorithm a = o.compression() != Compression.NONE ? Algorithm.RING
                : resolve(CollectiveKind.ALLREDUCE, o.algorithm(), bytes);
        ctx.header().set(CollectiveKind.ALLREDUCE, seq, recv.type(), n, op, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        ElementBuffer source = send == null || send.sameRegion(recv) ? null : send;
        if (size == 1 || o.compression() != Compression.NONE || a == Algorithm.NATIVE) {
            if (source != null) {
                source.copyTo(0, recv, 0, n);
            }
            if (size == 1) {
                return;
            }
        }
        ctx.segmentBytes(o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes());
        if (o.compression() != Compression.NONE) {
            compressed.allreduce(ctx, recv, o.compression(), o.quantizationError());
        } else if (a == Algorithm.NATIVE) {
            nativeCollectives().allreduce(recv, op.wireOp());
        } else {
            algorithms.allreduce(ctx, a, source, recv, op.wireOp());
        }
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- broadcast

    @Override
    public void broadcast(ElementBuffer data, int root, CollectiveOptions options) {
        checkBroadcast(data, root, options);
        runBlocking(seq -> doBroadcast(seq, data, root, options));
    }

    @Override
    public Request ibroadcast(ElementBuffer data, int root, CollectiveOptions options) {
        checkBroadcast(data, root, options);
        return runLater(seq -> doBroadcast(seq, data, root, options));
    }

    private void checkBroadcast(ElementBuffer data, int root, CollectiveOptions options) {
        checkOptions(options, CollectiveKind.BROADCAST);
        checkBuffer(data, "data");
        checkRoot(root);
        if (rank != root && !data.isWritable()) {
            throw new IllegalArgumentException("data is read-only but rank " + rank + " receives the broadcast");
        }
    }

    private void doBroadcast(long seq, ElementBuffer data, int root, CollectiveOptions o) {
        Algorithm a = resolve(CollectiveKind.BROADCAST, o.algorithm(), data.byteSize());
        ctx.header().set(CollectiveKind.BROADCAST, seq, data.type(), data.count(), null, root, a);
        if (data.count() == 0 || size == 1) {
            return;
        }
        ctx.segmentBytes(o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes());
        if (a == Algorithm.NATIVE) {
            nativeCollectives().broadcast(data, root);
        } else {
            algorithms.broadcast(ctx, a, data, root);
        }
    }

    // ------------------------------------------------------------------------------------------- reduce

    @Override
    public void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options) {
        checkOptions(options, CollectiveKind.REDUCE);
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
        if (contribution.type() == ElementType.BYTE) {
            throw new IllegalArgumentException("reduce works on float or double elements, not bytes");
        }
        if (rank == root) {
            checkReducible(recv, "recv");
            checkSendRecv(send, recv, contribution.count(), "reduce");
        }
        runBlocking(seq -> doReduce(seq, contribution, rank == root ? recv : null, op, root, options));
    }

    private void doReduce(long seq, ElementBuffer send, ElementBuffer recv, ReduceOp op, int root,
            CollectiveOptions o) {
        int n = send.count();
        Algorithm a = resolve(CollectiveKind.REDUCE, o.algorithm(), send.byteSize());
        ctx.header().set(CollectiveKind.REDUCE, seq, send.type(), n, op, root, a);
        if (n == 0) {
            return;
        }
        ctx.segmentBytes(o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes());
        if (a == Algorithm.NATIVE) {
            nativeCollectives().reduce(send, recv, op.wireOp(), root);
        } else {
            ElementBuffer work = recv;
            if (work == null) {
                work = ctx.scratch(send.type(), n, 0);
            }
            if (!send.sameRegion(work)) {
                send.copyTo(0, work, 0, n);
            }
            if (size > 1) {
                algorithms.reduce(ctx, a, work, op.wireOp(), root);
            }
        }
        if (op == ReduceOp.AVG && recv != null) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- reduce-scatter

    @Override
    public void reduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options) {
        checkOptions(options, CollectiveKind.REDUCE_SCATTER);
        checkOp(op);
        checkBuffer(send, "send");
        checkReducible(recv, "recv");
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
        runBlocking(seq -> doReduceScatter(seq, send, recv, op, options));
    }

    private void doReduceScatter(long seq, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions o) {
        int n = recv.count();
        Algorithm a = resolve(CollectiveKind.REDUCE_SCATTER, o.algorithm(), send.byteSize());
        ctx.header().set(CollectiveKind.REDUCE_SCATTER, seq, send.type(), send.count(), op, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        if (size == 1) {
            send.copyTo(0, recv, 0, n);
            return;
        }
        ctx.segmentBytes(o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes());
        ElementBuffer work = ctx.scratch(send.type(), send.count(), 0);
        send.copyTo(0, work, 0, send.count());
        algorithms.reduceScatter(ctx, a, work, op.wireOp());
        work.copyTo(rank * n, recv, 0, n);
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- all-gather

    @Override
    public void allgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        checkOptions(options, CollectiveKind.ALLGATHER);
        checkBuffer(send, "send");
        checkBuffer(recv, "recv");
        if (!recv.isWritable()) {
            throw new IllegalArgumentException("recv is read-only");
        }
        if (send.type() != recv.type()) {
            throw new IllegalArgumentException("send holds " + send.type().label() + "s but recv holds "
                    + recv.type().label() + "s");
        }
        if ((long) send.count() * size != recv.count()) {
            throw new IllegalArgumentException("recv has " + recv.count() + " elements but allgather needs size ×"
                    + " send count = " + size + " × " + send.count() + " = " + (long) send.count() * size);
        }
        runBlocking(seq -> doAllgather(seq, send, recv, options));
    }

    private void doAllgather(long seq, ElementBuffer send, ElementBuffer recv, CollectiveOptions o) {
        int n = send.count();
        Algorithm a = resolve(CollectiveKind.ALLGATHER, o.algorithm(), recv.byteSize());
        ctx.header().set(CollectiveKind.ALLGATHER, seq, send.type(), recv.count(), null, Header.NO_ROOT, a);
        if (n == 0) {
            return;
        }
        if (a == Algorithm.NATIVE) {
            nativeCollectives().allgather(send, recv);
            return;
        }
        send.copyTo(0, recv, rank * n, n);
        if (size > 1) {
            ctx.segmentBytes(o.segmentBytes() != 0 ? o.segmentBytes() : config.segmentBytes());
            algorithms.allgather(ctx, a, recv);
        }
    }

    // ------------------------------------------------------------------------------------------- barrier, custom

    @Override
    public void barrier() {
        runBlocking(seq -> {
            Algorithm a = resolve(CollectiveKind.BARRIER, Algorithm.AUTO, 0);
            ctx.header().set(CollectiveKind.BARRIER, seq, ElementType.BYTE, 0, null, Header.NO_ROOT, a);
            if (a == Algorithm.NATIVE) {
                nativeCollectives().barrier();
            } else {
                algorithms.barrier(ctx);
            }
        });
    }

    @Override
    public Request submit(CustomCollective collective) {
        if (collective == null) {
            throw new IllegalArgumentException("collective is null");
        }
        return runLater(seq -> {
            ctx.header().set(CollectiveKind.EXTERNAL, seq, ElementType.BYTE, 0, null, Header.NO_ROOT,
                    Algorithm.AUTO);
            ctx.segmentBytes(config.segmentBytes());
            collective.run(ctx);
        });
    }

    // ------------------------------------------------------------------------------------------- checks

    private static void checkOptions(CollectiveOptions options, CollectiveKind kind) {
        if (options == null) {
            throw new IllegalArgumentException("options is null: pass CollectiveOptions.DEFAULT");
        }
        AlgorithmTable.requireSupported(kind, options.algorithm());
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

    private static void checkReducible(ElementBuffer b, String name) {
        checkBuffer(b, name);
        if (b.type() == ElementType.BYTE) {
            throw new IllegalArgumentException(name + " holds bytes: reductions work on float or double elements");
        }
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

    private NativeCollectives nativeCollectives() {
        NativeCollectives n = transport.nativeCollectives();
        if (n == null) {
            throw new IllegalArgumentException("the " + transport.name() + " transport has no native collectives:"
                    + " algorithm 'native' (mpj-native) needs the MPJ Express transport");
        }
        return n;
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

        Op(Body body) {
            this.body = body;
        }
    }

    private void runBlocking(Body body) {
        long ticket;
        boolean interrupted = false;
        synchronized (turn) {
            checkOpen();
            ticket = nextTicket++;
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
            execute(ticket, body);
        } finally {
            advance();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private Request runLater(Body body) {
        Op op = new Op(body);
        synchronized (turn) {
            checkOpen();
            op.ticket = nextTicket++;
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
            try {
                execute(op.ticket, op.body);
                op.request.complete();
            } catch (Throwable e) {
                op.request.fail(e);
            } finally {
                advance();
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

    private void advance() {
        synchronized (turn) {
            serving++;
            turn.notifyAll();
        }
    }

    private void execute(long seq, Body body) {
        CollectiveException failed = transport.failure();
        if (failed != null) {
            throw failed;
        }
        long t0 = tracer.on() ? System.nanoTime() : 0;
        try {
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

package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkBuffer;
import static io.ringsgd.collectives.engine.Arguments.checkOp;
import static io.ringsgd.collectives.engine.Arguments.checkOpType;
import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkReducible;
import static io.ringsgd.collectives.engine.Arguments.checkSameType;
import static io.ringsgd.collectives.engine.Arguments.checkSendRecv;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.CompressedRingAllreduce;
import io.ringsgd.collectives.algorithm.EncodedAllgatherAllreduce;
import io.ringsgd.collectives.transport.Header;

/** The reductions with a built-in op: allreduce (plain or compressed), reduce, reduce-scatter, scan and exscan. */
final class Reductions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;
    private final CompressedRingAllreduce compressed = new CompressedRingAllreduce();
    private final EncodedAllgatherAllreduce gathered = new EncodedAllgatherAllreduce();

    Reductions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    // ------------------------------------------------------------------------------------------- allreduce

    Request allreduce(boolean later, ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions o) {
        Algorithm a = checkAllreduce(send, recv, op, o);
        return core.seq.dispatch(later, later ? "iallreduce" : "allreduce",
                seq -> doAllreduce(seq, a, send, recv, op, o));
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
        return core.algorithm(CollectiveKind.ALLREDUCE, options, recv);
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
        core.pipelining(o);
        if (o.compression().gathersEncodings()) {
            gathered.allreduce(ctx, recv, o);
        } else if (o.compression() != Compression.NONE) {
            compressed.allreduce(ctx, recv, o.compression(), o.quantizationError());
        } else {
            core.registry.run(CollectiveKind.ALLREDUCE, a, ctx, source, recv, op.wireOp(), Header.NO_ROOT);
        }
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- reduce

    Request reduce(boolean later, ElementBuffer send, ElementBuffer recv, ReduceOp op, int root,
            CollectiveOptions options) {
        checkOptions(options);
        checkOp(op);
        core.args.checkRoot(root);
        ElementBuffer contribution = send != null ? send : recv;
        if (contribution == null) {
            throw new IllegalArgumentException("send is null: only the root may reduce in place (send null, recv"
                    + " holding its contribution)");
        }
        core.args.checkContribution(send, root, "pass this rank's contribution as send");
        checkBuffer(contribution, "send");
        checkOpType(op, contribution.type());
        if (rank == root) {
            checkReducible(recv, op, "recv");
            checkSendRecv(send, recv, contribution.count(), "reduce");
        }
        Algorithm a = core.algorithm(CollectiveKind.REDUCE, options, contribution);
        ElementBuffer result = rank == root ? recv : null;
        return core.seq.dispatch(later, "reduce", seq -> doReduce(seq, a, contribution, result, op, root, options));
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
        ctx.segmentBytes(core.segment(o));
        core.registry.run(CollectiveKind.REDUCE, a, ctx, send, recv, op.wireOp(), root);
        if (op == ReduceOp.AVG && recv != null) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- reduce-scatter

    Request reduceScatter(boolean later, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions options) {
        checkOptions(options);
        checkOp(op);
        checkBuffer(send, "send");
        checkReducible(recv, op, "recv");
        checkSameType(send, recv);
        if ((long) recv.count() * size != send.count()) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but reduceScatter needs size"
                    + " × recv count = " + size + " × " + recv.count() + " = " + (long) recv.count() * size);
        }
        if (send.mayOverlap(recv)) {
            throw new IllegalArgumentException("send and recv overlap: reduceScatter needs separate buffers");
        }
        Algorithm a = core.algorithm(CollectiveKind.REDUCE_SCATTER, options, send);
        return core.seq.dispatch(later, "reduceScatter", seq -> doReduceScatter(seq, a, send, recv, op, options));
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
        ctx.segmentBytes(core.segment(o));
        core.registry.run(CollectiveKind.REDUCE_SCATTER, a, ctx, send, recv, op.wireOp(), Header.NO_ROOT);
        if (op == ReduceOp.AVG) {
            recv.divide(0, n, size);
        }
    }

    // ------------------------------------------------------------------------------------------- scan, exscan

    Request scan(boolean later, CollectiveKind kind, ElementBuffer send, ElementBuffer recv, ReduceOp op,
            CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        checkReducible(recv, op, "recv");
        if (op == ReduceOp.AVG) {
            throw new IllegalArgumentException("op AVG has no prefix form: use SUM and divide by rank + 1");
        }
        checkSendRecv(send, recv, recv.count(), kind.label());
        ElementBuffer input = send == null ? recv : send;
        Algorithm a = core.algorithm(kind, o, recv);
        return core.seq.dispatch(later, kind.label(), seq -> {
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
            core.registry.run(kind, a, ctx, input, recv, op, Header.NO_ROOT);
        });
    }
}

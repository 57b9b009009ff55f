package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkBuffer;
import static io.ringsgd.collectives.engine.Arguments.checkNoOverlap;
import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkSameType;
import static io.ringsgd.collectives.engine.Arguments.checkWritable;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Header;

/**
 * The collectives that move data without reducing it, on equal blocks: broadcast, all-gather, gather, scatter,
 * all-to-all, and the barrier.
 */
final class Distributions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;
    /** The input of an in-place alltoall, copied before it is overwritten; grown as needed. */
    private ElementBuffer inPlaceCopy;

    Distributions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    // ------------------------------------------------------------------------------------------- broadcast

    Request broadcast(boolean later, ElementBuffer data, int root, CollectiveOptions options) {
        checkOptions(options);
        checkBuffer(data, "data");
        core.args.checkRoot(root);
        if (rank != root && !data.isWritable()) {
            throw new IllegalArgumentException("data is read-only but rank " + rank + " receives the broadcast (only"
                    + " the root " + root + " may pass a read-only buffer)");
        }
        Algorithm a = core.algorithm(CollectiveKind.BROADCAST, options, data);
        return core.seq.dispatch(later, later ? "ibroadcast" : "broadcast", seq -> {
            ctx.header().set(CollectiveKind.BROADCAST, seq, data.type(), data.count(), null, root, a);
            if (data.count() == 0 || size == 1) {
                return;
            }
            ctx.segmentBytes(core.segment(options));
            core.registry.run(CollectiveKind.BROADCAST, a, ctx, null, data, null, root);
        });
    }

    // ------------------------------------------------------------------------------------------- all-gather

    Request allgather(boolean later, ElementBuffer send, ElementBuffer recv, CollectiveOptions options) {
        checkOptions(options);
        checkBuffer(send, "send");
        checkBuffer(recv, "recv");
        if (!recv.isWritable()) {
            throw new IllegalArgumentException("recv is read-only: the gathered blocks are written into it");
        }
        checkSameType(send, recv);
        if ((long) send.count() * size != recv.count()) {
            throw new IllegalArgumentException("recv has " + recv.count() + " elements but allgather needs size ×"
                    + " send count = " + size + " × " + send.count() + " = " + (long) send.count() * size);
        }
        Algorithm a = core.algorithm(CollectiveKind.ALLGATHER, options, recv);
        return core.seq.dispatch(later, "allgather", seq -> {
            int n = send.count();
            ctx.header().set(CollectiveKind.ALLGATHER, seq, send.type(), recv.count(), null, Header.NO_ROOT, a);
            if (n == 0) {
                return;
            }
            if (size == 1) {
                send.copyTo(0, recv, 0, n);
                return;
            }
            ctx.segmentBytes(core.segment(options));
            core.registry.run(CollectiveKind.ALLGATHER, a, ctx, send, recv, null, Header.NO_ROOT);
        });
    }

    // ------------------------------------------------------------------------------------------- gather, scatter

    Request gather(boolean later, ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions o) {
        checkOptions(o);
        core.args.checkRoot(root);
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
        } else {
            core.args.checkContribution(send, root, "only the root may gather in place");
        }
        ElementBuffer contribution = mine;
        ElementBuffer result = rank == root ? recv : null;
        long total = (long) contribution.count() * size;
        Algorithm a = core.algorithm(CollectiveKind.GATHER, o, contribution.byteSize() * size);
        return core.seq.dispatch(later, "gather", seq -> {
            ctx.header().set(CollectiveKind.GATHER, seq, contribution.type(), total, null, root, a);
            if (total == 0) {
                return;
            }
            if (size == 1) {
                contribution.copyTo(0, result, 0, contribution.count());
                return;
            }
            core.registry.run(CollectiveKind.GATHER, a, ctx, contribution, result, null, root);
        });
    }

    Request scatter(boolean later, ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions o) {
        checkOptions(o);
        core.args.checkRoot(root);
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
        Algorithm a = core.algorithm(CollectiveKind.SCATTER, o, result.byteSize() * size);
        return core.seq.dispatch(later, "scatter", seq -> {
            ctx.header().set(CollectiveKind.SCATTER, seq, result.type(), total, null, root, a);
            if (total == 0) {
                return;
            }
            if (size == 1) {
                source.copyTo(0, result, 0, result.count());
                return;
            }
            core.registry.run(CollectiveKind.SCATTER, a, ctx, source, result, null, root);
        });
    }

    // ------------------------------------------------------------------------------------------- all-to-all

    Request alltoall(boolean later, ElementBuffer send, ElementBuffer recv, CollectiveOptions o) {
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
        Algorithm a = core.algorithm(CollectiveKind.ALLTOALL, o, recv);
        return core.seq.dispatch(later, "alltoall", seq -> {
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
            core.registry.run(CollectiveKind.ALLTOALL, a, ctx, input, recv, null, Header.NO_ROOT);
        });
    }

    // ------------------------------------------------------------------------------------------- barrier

    Request barrier(boolean later) {
        Algorithm a = core.algorithm(CollectiveKind.BARRIER, CollectiveOptions.DEFAULT, 0);
        return core.seq.dispatch(later, "barrier", seq -> {
            ctx.header().set(CollectiveKind.BARRIER, seq, ElementType.BYTE, 0, null, Header.NO_ROOT, a);
            if (size > 1) {
                core.registry.run(CollectiveKind.BARRIER, a, ctx, null, null, null, Header.NO_ROOT);
            }
        });
    }
}

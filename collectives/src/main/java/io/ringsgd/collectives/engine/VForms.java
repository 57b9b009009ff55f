package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkBuffer;
import static io.ringsgd.collectives.engine.Arguments.checkNoOverlap;
import static io.ringsgd.collectives.engine.Arguments.checkOp;
import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkReducible;
import static io.ringsgd.collectives.engine.Arguments.checkSameType;
import static io.ringsgd.collectives.engine.Arguments.checkWritable;
import static io.ringsgd.collectives.engine.Arguments.sum;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Header;

/**
 * The v-forms, whose blocks differ in size per rank: allgatherv, gatherv, scatterv, alltoallv, reduceScatterv. Ranks
 * whose counts disagree fail with a {@link io.ringsgd.collectives.CollectiveMismatchException} through the headers'
 * {@link Header#block()}: where every rank knows the whole counts vector (allgatherv, reduceScatterv) every message
 * carries a hash of it, so no rank completes a call whose counts differ anywhere; where only the two ends of a block
 * know its size (gatherv, scatterv, alltoallv, as in MPI) each message carries its own count, checked where it
 * arrives.
 */
final class VForms {
    private final Core core;
    private final Arguments args;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;

    VForms(Core core) {
        this.core = core;
        this.args = core.args;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    Request allgatherv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions o) {
        checkOptions(o);
        checkWritable(recv, "recv");
        int[] counts = args.counts(recvCounts, "recvCounts");
        int[] at = args.displacements(counts, displs, recv, "recvCounts", "displs");
        ElementBuffer mine = send == null ? recv.slice(at[rank], counts[rank]) : send;
        if (send != null) {
            checkSameType(send, recv);
            checkNoOverlap(send, recv, "allgatherv");
        }
        args.checkOwnCount(mine, counts, "send", "recvCounts");
        long total = sum(counts);
        Algorithm a = core.algorithm(CollectiveKind.ALLGATHERV, o, total * recv.type().bytes());
        return core.seq.dispatch(later, "allgatherv", seq -> {
            ctx.header().set(CollectiveKind.ALLGATHERV, seq, recv.type(), total, null, Header.NO_ROOT, a)
                    .block(digest(counts));
            if (size == 1) {
                mine.copyTo(0, recv, at[0], counts[0]);
                return;
            }
            ctx.layout(null, null, counts, at);
            core.registry.run(CollectiveKind.ALLGATHERV, a, ctx, mine, recv, null, Header.NO_ROOT);
        });
    }

    Request gatherv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions o) {
        checkOptions(o);
        args.checkRoot(root);
        int[] counts = null;
        int[] at = null;
        ElementBuffer mine = send;
        if (rank == root) {
            checkWritable(recv, "recv");
            counts = args.counts(recvCounts, "recvCounts");
            at = args.displacements(counts, displs, recv, "recvCounts", "displs");
            if (send == null) {
                mine = recv.slice(at[rank], counts[rank]);
            } else {
                checkSameType(send, recv);
                checkNoOverlap(send, recv, "gatherv");
            }
            args.checkOwnCount(mine, counts, "send", "recvCounts");
        } else {
            checkBuffer(send, "send");
        }
        ElementBuffer contribution = mine;
        ElementBuffer result = rank == root ? recv : null;
        int[] c = counts;
        int[] d = at;
        Algorithm a = core.algorithm(CollectiveKind.GATHERV, o, contribution.byteSize() * size);
        return core.seq.dispatch(later, "gatherv", seq -> {
            // The counts are the root's alone: each message carries its own count, checked where it arrives.
            ctx.header().set(CollectiveKind.GATHERV, seq, contribution.type(), 0, null, root, a);
            if (size == 1) {
                contribution.copyTo(0, result, d[0], c[0]);
                return;
            }
            ctx.layout(null, null, c, d);
            core.registry.run(CollectiveKind.GATHERV, a, ctx, contribution, result, null, root);
        });
    }

    Request scatterv(boolean later, ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions o) {
        checkOptions(o);
        args.checkRoot(root);
        int[] counts = null;
        int[] at = null;
        ElementBuffer mine = recv;
        if (rank == root) {
            checkBuffer(send, "send");
            counts = args.counts(sendCounts, "sendCounts");
            at = args.displacements(counts, displs, send, "sendCounts", "displs");
            if (recv == null) {
                mine = send.slice(at[rank], counts[rank]);
            } else {
                checkWritable(recv, "recv");
                checkSameType(send, recv);
                checkNoOverlap(send, recv, "scatterv");
            }
            args.checkOwnCount(mine, counts, "recv", "sendCounts");
        } else {
            checkWritable(recv, "recv");
        }
        ElementBuffer result = mine;
        ElementBuffer source = rank == root ? send : null;
        int[] c = counts;
        int[] d = at;
        Algorithm a = core.algorithm(CollectiveKind.SCATTERV, o, result.byteSize() * size);
        return core.seq.dispatch(later, "scatterv", seq -> {
            ctx.header().set(CollectiveKind.SCATTERV, seq, result.type(), 0, null, root, a);
            if (size == 1) {
                source.copyTo(d[0], result, 0, c[0]);
                return;
            }
            ctx.layout(c, d, null, null);
            core.registry.run(CollectiveKind.SCATTERV, a, ctx, source, result, null, root);
        });
    }

    Request alltoallv(boolean later, ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv,
            int[] recvCounts, int[] recvDispls, CollectiveOptions o) {
        checkOptions(o);
        checkBuffer(send, "send");
        checkWritable(recv, "recv");
        checkSameType(send, recv);
        checkNoOverlap(send, recv, "alltoallv");
        int[] sc = args.counts(sendCounts, "sendCounts");
        int[] sd = args.displacements(sc, sendDispls, send, "sendCounts", "sendDispls");
        int[] rc = args.counts(recvCounts, "recvCounts");
        int[] rd = args.displacements(rc, recvDispls, recv, "recvCounts", "recvDispls");
        if (sc[rank] != rc[rank]) {
            throw new IllegalArgumentException("sendCounts[" + rank + "] = " + sc[rank] + " but recvCounts[" + rank
                    + "] = " + rc[rank] + ": the block a rank sends itself must fit what it receives from itself");
        }
        Algorithm a = core.algorithm(CollectiveKind.ALLTOALLV, o, sum(sc) * send.type().bytes());
        return core.seq.dispatch(later, "alltoallv", seq -> {
            // Each rank's counts are its own: each message carries its own count, checked where it arrives.
            ctx.header().set(CollectiveKind.ALLTOALLV, seq, send.type(), 0, null, Header.NO_ROOT, a);
            ctx.layout(sc, sd, rc, rd);
            if (size == 1) {
                send.copyTo(sd[0], recv, rd[0], sc[0]);
                return;
            }
            core.registry.run(CollectiveKind.ALLTOALLV, a, ctx, send, recv, null, Header.NO_ROOT);
        });
    }

    Request reduceScatterv(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions o) {
        checkOptions(o);
        checkOp(op);
        checkBuffer(send, "send");
        checkReducible(recv, op, "recv");
        checkSameType(send, recv);
        checkNoOverlap(send, recv, "reduceScatterv");
        int[] counts = args.counts(recvCounts, "recvCounts");
        long total = sum(counts);
        if (send.count() != total) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but the recvCounts add up to "
                    + total + ": reduceScatterv reduces the sum of the counts");
        }
        args.checkOwnCount(recv, counts, "recv", "recvCounts");
        int[] at = args.displacements(counts, null, send, "recvCounts", "displs");
        Algorithm a = core.algorithm(CollectiveKind.REDUCE_SCATTERV, o, send);
        return core.seq.dispatch(later, "reduceScatterv", seq -> {
            ctx.header().set(CollectiveKind.REDUCE_SCATTERV, seq, send.type(), total, op, Header.NO_ROOT, a)
                    .block(digest(counts));
            if (size == 1) {
                send.copyTo(0, recv, 0, counts[0]);
            } else {
                ctx.layout(null, null, counts, at);
                core.registry.run(CollectiveKind.REDUCE_SCATTERV, a, ctx, send, recv, op.wireOp(), Header.NO_ROOT);
            }
            if (op == ReduceOp.AVG) {
                recv.divide(0, counts[rank], size);
            }
        });
    }

    /** A hash of the whole counts vector (FNV-1a over the counts), for {@link Header#block()}. */
    static int digest(int[] counts) {
        int h = 0x811C9DC5;
        for (int c : counts) {
            for (int shift = 0; shift < 32; shift += 8) {
                h = (h ^ ((c >>> shift) & 0xFF)) * 0x01000193;
            }
        }
        return h ^ (h >>> 24);
    }
}

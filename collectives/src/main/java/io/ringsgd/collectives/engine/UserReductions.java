package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkBuffer;
import static io.ringsgd.collectives.engine.Arguments.checkNoOverlap;
import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkSameType;
import static io.ringsgd.collectives.engine.Arguments.checkSendRecv;
import static io.ringsgd.collectives.engine.Arguments.checkWritable;
import static io.ringsgd.collectives.engine.Arguments.sum;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.UserReduction;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.CommutativeRingAllreduce;
import io.ringsgd.collectives.algorithm.OrderedBinomialReduce;
import io.ringsgd.collectives.algorithm.OrderedOp;
import io.ringsgd.collectives.algorithm.RecursiveDoublingAllreduce;
import io.ringsgd.collectives.algorithm.RecursiveDoublingScan;
import io.ringsgd.collectives.transport.Header;

/**
 * Reductions with a {@link UserReduction}, on the algorithms that apply it in rank order, so that non-commutative ones
 * are right: allreduce on recursive doubling (AUTO where the table picks it for the size), on the ring for the longer
 * vectors of a commutative reduction, else on the binomial tree plus a broadcast; reduce on the binomial tree; reduce-scatter (equal or per-rank blocks) as an ordered tree reduce to rank
 * 0 then a scatter; scan and exscan on recursive doubling. An algorithm that would reorder the operands is refused at
 * the call, naming the reduction.
 */
final class UserReductions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;
    private final RecursiveDoublingAllreduce doubling = new RecursiveDoublingAllreduce();
    /** Rank 0's whole reduced vector during a reduce-scatter; grown as needed. */
    private ElementBuffer reduced;

    UserReductions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    private static void checkUser(CollectiveOptions o, UserReduction op) {
        checkOptions(o);
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a UserReduction");
        }
        if (o.compression() != Compression.NONE) {
            throw new IllegalArgumentException("a user reduction cannot be compressed");
        }
    }

    /**
     * The forced algorithm if it is one of {@code allowed} (AUTO: null), else the refusal naming the reduction: an
     * algorithm that reorders operands is refused for a non-commutative one because of that, any other because
     * {@code kind} has no user-reduction form of it.
     */
    private static Algorithm forced(CollectiveKind kind, CollectiveOptions o, UserReduction op, Algorithm... allowed) {
        Algorithm a = o.algorithm();
        if (a == Algorithm.AUTO) {
            return null;
        }
        StringBuilder list = new StringBuilder();
        for (Algorithm x : allowed) {
            if (x == a) {
                return a;
            }
            list.append(list.length() == 0 ? "" : ", ").append(x.cliName());
        }
        int last = list.lastIndexOf(", ");
        String use = "auto" + (last < 0 ? " or " + list : ", " + list.substring(0, last) + " or "
                + list.substring(last + 2));
        boolean reorders = a == Algorithm.RING || a == Algorithm.RABENSEIFNER || a == Algorithm.BCUBE
                || a == Algorithm.PAIRWISE;
        throw new IllegalArgumentException("the " + a.cliName() + " algorithm cannot run the user reduction '"
                + op.name() + "'" + (reorders && !op.isCommutative() ? ": it combines the ranks' operands out of rank"
                        + " order, and the reduction is not commutative" : ": " + kind.label() + " runs user"
                                + " reductions on " + list + " only") + "; use " + use);
    }

    // ------------------------------------------------------------------------------------------- allreduce, reduce

    Request reduce(boolean later, boolean all, ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions o) {
        checkUser(o, op);
        core.args.checkRoot(root);
        CollectiveKind kind = all ? CollectiveKind.ALLREDUCE : CollectiveKind.REDUCE;
        Algorithm a = !all ? forced(kind, o, op, Algorithm.TREE)
                : op.isCommutative() ? forced(kind, o, op, Algorithm.TREE, Algorithm.RECURSIVE_DOUBLING, Algorithm.RING)
                : forced(kind, o, op, Algorithm.TREE, Algorithm.RECURSIVE_DOUBLING);
        ElementBuffer input = send != null ? send : recv;
        if (input == null) {
            throw new IllegalArgumentException("send and recv are null: pass this rank's contribution");
        }
        boolean receives = all || rank == root;
        if (!all) {
            core.args.checkContribution(send, root, "pass this rank's contribution as send");
        }
        if (receives) {
            checkWritable(recv, "recv");
            checkSendRecv(send, recv, recv.count(), kind.label());
        }
        if (a == null) {
            // As the table picks for built-in ops: recursive doubling where it does, the tree for reduce; the ring for
            // the large vectors of a commutative reduction, the tree for those of a non-commutative one.
            Algorithm pick = all ? core.resolve(kind, Algorithm.AUTO, input.byteSize()) : Algorithm.TREE;
            a = pick == Algorithm.RECURSIVE_DOUBLING || pick == Algorithm.TREE ? pick
                    : op.isCommutative() ? Algorithm.RING : Algorithm.TREE;
        }
        Algorithm chosen = a;
        ElementBuffer result = receives ? recv : null;
        return core.seq.dispatch(later, kind.label(), seq -> {
            int n = input.count();
            ctx.header().set(kind, seq, input.type(), n, ReduceOp.USER, all ? Header.NO_ROOT : root, chosen);
            if (n == 0) {
                return;
            }
            if (size == 1) {
                if (!input.sameRegion(result)) {
                    input.copyTo(0, result, 0, n);
                }
                return;
            }
            if (chosen == Algorithm.RING) {
                CommutativeRingAllreduce.allreduce(ctx, input.sameRegion(result) ? null : input, result, op);
                return;
            }
            if (chosen == Algorithm.RECURSIVE_DOUBLING) {
                if (!input.sameRegion(result)) {
                    input.copyTo(0, result, 0, n);
                }
                doubling.allreduce(ctx, result, OrderedOp.of(op));
                return;
            }
            OrderedBinomialReduce.reduce(ctx, input, all ? (rank == 0 ? result : null) : result, op,
                    all ? 0 : root);
            if (all) {
                core.registry.run(CollectiveKind.BROADCAST, Algorithm.TREE, ctx, null, result, null, 0);
            }
        });
    }

    // ------------------------------------------------------------------------------------------- reduce-scatter

    /** Equal blocks ({@code recvCounts} null: every rank's block is recv's count) or per-rank ones. */
    Request reduceScatter(boolean later, ElementBuffer send, ElementBuffer recv, int[] recvCounts, UserReduction op,
            CollectiveOptions o) {
        checkUser(o, op);
        CollectiveKind kind = recvCounts == null ? CollectiveKind.REDUCE_SCATTER : CollectiveKind.REDUCE_SCATTERV;
        forced(kind, o, op, Algorithm.TREE);
        checkBuffer(send, "send");
        checkWritable(recv, "recv");
        checkSameType(send, recv);
        checkNoOverlap(send, recv, kind.label());
        int[] counts;
        if (recvCounts == null) {
            counts = new int[size];
            java.util.Arrays.fill(counts, recv.count());
        } else {
            counts = core.args.counts(recvCounts, "recvCounts");
            core.args.checkOwnCount(recv, counts, "recv", "recvCounts");
        }
        long total = sum(counts);
        if (send.count() != total) {
            throw new IllegalArgumentException("send has " + send.count() + " elements but " + kind.label()
                    + " reduces " + (recvCounts == null ? "size × recv count = " + size + " × " + recv.count()
                            + " = " + total : "the sum of the recvCounts, " + total));
        }
        int[] at = core.args.displacements(counts, null, send, "recvCounts", "displs");
        return core.seq.dispatch(later, kind.label(), seq -> {
            ctx.header().set(kind, seq, send.type(), total, ReduceOp.USER, Header.NO_ROOT, Algorithm.TREE)
                    .block(recvCounts == null ? 0 : VForms.digest(counts));
            if (total == 0) {
                return;
            }
            if (size == 1) {
                send.copyTo(0, recv, 0, counts[0]);
                return;
            }
            ElementBuffer whole = null;
            if (rank == 0) {
                if (reduced == null || reduced.type() != send.type() || reduced.count() < total) {
                    reduced = ElementBuffer.allocate(send.type(), (int) total);
                }
                whole = reduced.slice(0, (int) total);
            }
            OrderedBinomialReduce.reduce(ctx, send, whole, op, 0);
            ctx.layout(counts, at, null, null);
            core.registry.run(CollectiveKind.SCATTERV, Algorithm.LINEAR, ctx, whole, recv, null, 0);
        });
    }

    // ------------------------------------------------------------------------------------------- scan, exscan

    Request scan(boolean later, CollectiveKind kind, ElementBuffer send, ElementBuffer recv, UserReduction op,
            CollectiveOptions o) {
        checkUser(o, op);
        forced(kind, o, op, Algorithm.RECURSIVE_DOUBLING);
        checkWritable(recv, "recv");
        checkSendRecv(send, recv, recv.count(), kind.label());
        ElementBuffer input = send == null ? recv : send;
        return core.seq.dispatch(later, kind.label(), seq -> {
            int n = recv.count();
            ctx.header().set(kind, seq, recv.type(), n, ReduceOp.USER, Header.NO_ROOT, Algorithm.RECURSIVE_DOUBLING);
            if (n == 0) {
                return;
            }
            if (size == 1) {
                if (kind == CollectiveKind.SCAN && !input.sameRegion(recv)) {
                    input.copyTo(0, recv, 0, n);
                }
                return;
            }
            RecursiveDoublingScan.scan(ctx, input, recv, OrderedOp.of(op), kind == CollectiveKind.EXSCAN);
        });
    }
}

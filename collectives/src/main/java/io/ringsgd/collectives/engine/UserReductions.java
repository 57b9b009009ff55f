package io.ringsgd.collectives.engine;

import static io.ringsgd.collectives.engine.Arguments.checkOptions;
import static io.ringsgd.collectives.engine.Arguments.checkSendRecv;
import static io.ringsgd.collectives.engine.Arguments.checkWritable;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.UserReduction;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.algorithm.OrderedBinomialReduce;
import io.ringsgd.collectives.transport.Header;

/** Reductions with a {@link UserReduction}, applied in rank order so that non-commutative ones are right. */
final class UserReductions {
    private final Core core;
    private final CollectiveContext ctx;
    private final int rank;
    private final int size;

    UserReductions(Core core) {
        this.core = core;
        this.ctx = core.ctx;
        this.rank = core.rank;
        this.size = core.size;
    }

    Request reduce(boolean later, boolean all, ElementBuffer send, ElementBuffer recv, UserReduction op, int root,
            CollectiveOptions o) {
        checkOptions(o);
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a UserReduction");
        }
        core.args.checkRoot(root);
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
        if (!all) {
            core.args.checkContribution(send, root, "pass this rank's contribution as send");
        }
        if (receives) {
            checkWritable(recv, "recv");
            checkSendRecv(send, recv, recv.count(), kind.label());
        }
        ElementBuffer result = receives ? recv : null;
        return core.seq.dispatch(later, kind.label(), seq -> {
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
                core.registry.run(CollectiveKind.BROADCAST, Algorithm.TREE, ctx, null, result, null, 0);
            }
        });
    }
}

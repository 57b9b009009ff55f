package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.UserReduction;

/**
 * A reduction that the algorithms which keep the ranks' order apply with the lower ranks' operand first: a built-in
 * {@link ReduceOp} (which transports may fuse into a receive, see {@link #builtIn()}) or a {@link UserReduction},
 * which need not commute. Immutable; the built-in ones are shared.
 */
public final class OrderedOp {
    private static final OrderedOp[] BUILT_IN = new OrderedOp[ReduceOp.values().length];

    static {
        for (ReduceOp op : ReduceOp.values()) {
            BUILT_IN[op.ordinal()] = new OrderedOp(op, null);
        }
    }

    private final ReduceOp op;
    private final UserReduction user;

    private OrderedOp(ReduceOp op, UserReduction user) {
        this.op = op;
        this.user = user;
    }

    /** The built-in {@code op}. */
    public static OrderedOp of(ReduceOp op) {
        return BUILT_IN[op.ordinal()];
    }

    /** The user's reduction (one small object per collective, none per message). */
    public static OrderedOp of(UserReduction user) {
        return new OrderedOp(null, user);
    }

    /** The built-in op, or null for a user reduction. */
    public ReduceOp builtIn() {
        return op;
    }

    /** {@code higher[ho..ho+n) = lower ∘ higher}; {@code lower} is only read. */
    public void intoHigher(ElementBuffer lower, int lo, ElementBuffer higher, int ho, int n) {
        if (op != null) {
            lower.reduceInto(lo, higher, ho, n, op, true);
        } else {
            user.function().apply(lower, lo, higher, ho, n);
        }
    }

    /** {@code lower[lo..lo+n) = lower ∘ higher}; {@code higher} may be overwritten. */
    public void intoLower(ElementBuffer lower, int lo, ElementBuffer higher, int ho, int n) {
        if (op != null) {
            higher.reduceInto(ho, lower, lo, n, op, false);
        } else {
            user.function().apply(lower, lo, higher, ho, n);
            higher.copyTo(ho, lower, lo, n);
        }
    }
}

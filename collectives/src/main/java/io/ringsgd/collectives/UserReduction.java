package io.ringsgd.collectives;

import java.util.Objects;

/**
 * A reduction written by the user ({@code MPI_Op_create}): an element-wise function, declared commutative or not,
 * for {@link Communicator#allreduce(ElementBuffer, ElementBuffer, UserReduction, CollectiveOptions)} and
 * {@link Communicator#reduce(ElementBuffer, ElementBuffer, UserReduction, int, CollectiveOptions)}. The function must
 * be associative; a non-commutative one is applied in rank order (the result is
 * x<sub>0</sub> ∘ x<sub>1</sub> ∘ … ∘ x<sub>P−1</sub>), and a commutative one may be applied in any order.
 *
 * <p>Both run on the tree algorithm (a binomial reduce over the ranks in their own order, then a binomial broadcast
 * for allreduce), which keeps the rank order; forcing an algorithm that reorders operands (ring, Rabenseifner,
 * recursive doubling) is refused at the call. Immutable and thread-safe if the function is; the function is called on
 * the thread that runs the collective (the caller's, or the progress thread for non-blocking calls) and must not call
 * collectives itself.
 */
public final class UserReduction {

    /** The element-wise function: {@code inout[inoutOffset + i] = in[inOffset + i] ∘ inout[inoutOffset + i]}. */
    @FunctionalInterface
    public interface Function {
        /**
         * Combines {@code count} elements: {@code in} holds the lower ranks' operand and is only read, {@code inout}
         * the higher ranks' and receives the result. Both have the collective's element type.
         */
        void apply(ElementBuffer in, int inOffset, ElementBuffer inout, int inoutOffset, int count);
    }

    private final String name;
    private final Function function;
    private final boolean commutative;

    private UserReduction(String name, Function function, boolean commutative) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is empty: give the reduction a name for error messages");
        }
        this.name = name;
        this.function = Objects.requireNonNull(function, "function");
        this.commutative = commutative;
    }

    /** A commutative and associative reduction named {@code name} (for messages). */
    public static UserReduction commutative(String name, Function function) {
        return new UserReduction(name, function, true);
    }

    /** An associative reduction that must be applied in rank order. */
    public static UserReduction nonCommutative(String name, Function function) {
        return new UserReduction(name, function, false);
    }

    /** The name given at creation. */
    public String name() {
        return name;
    }

    /** The element-wise function. */
    public Function function() {
        return function;
    }

    /** Whether the operands may be combined in any order. */
    public boolean isCommutative() {
        return commutative;
    }

    @Override
    public String toString() {
        return name + (commutative ? " (commutative)" : " (non-commutative)");
    }
}

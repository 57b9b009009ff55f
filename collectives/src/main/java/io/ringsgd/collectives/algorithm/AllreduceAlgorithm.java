package io.ringsgd.collectives.algorithm;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * An AllReduce written against the transport, registered in the {@link AlgorithmRegistry}. Stateless (or holding only
 * what is safe to share): one instance serves every communicator; each call blocks until this rank's result is in
 * {@code data}, and throws what the transport's waits throw.
 */
public interface AllreduceAlgorithm {

    /** Which {@link Algorithm} this is. */
    Algorithm id();

    /**
     * Reduces {@code data} across the group in place; every rank ends with bit-identical elements.
     *
     * @param op an element-wise op (never AVG: the communicator divides afterwards)
     */
    void allreduce(CollectiveContext ctx, ElementBuffer data, ReduceOp op);

    /**
     * Reduces {@code send} across the group into {@code data} ({@code send} null: in place). Algorithms that can read
     * {@code send} directly override this to save the copy.
     */
    default void allreduce(CollectiveContext ctx, ElementBuffer send, ElementBuffer data, ReduceOp op) {
        if (send != null && !send.sameRegion(data)) {
            send.copyTo(0, data, 0, data.count());
        }
        allreduce(ctx, data, op);
    }
}

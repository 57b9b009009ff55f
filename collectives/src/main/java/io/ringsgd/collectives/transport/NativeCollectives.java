package io.ringsgd.collectives.transport;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;

/**
 * Collectives implemented by the runtime under a transport (MPJ Express's own Allreduce, Bcast, ...), selected with
 * {@link io.ringsgd.collectives.Algorithm#NATIVE}: the baseline ringsgd's own algorithms are measured against. Every
 * method blocks until this rank's part is done and is called by the thread driving the transport, one collective at
 * a time; a runtime failure surfaces as whatever the runtime throws (the communicator turns it into a failure of the
 * group). Buffers that a call only reads may be read-only.
 */
public interface NativeCollectives {

    /** In-place allreduce of {@code data} ({@code op} is never AVG: the communicator divides afterwards). */
    void allreduce(ElementBuffer data, ReduceOp op);

    /** Broadcast of {@code data} from {@code root}. */
    void broadcast(ElementBuffer data, int root);

    /** Reduce of {@code send} into {@code recv} at {@code root} ({@code recv} is only written at the root). */
    void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root);

    /** Every rank's {@code send} concatenated in rank order into {@code recv}. */
    void allgather(ElementBuffer send, ElementBuffer recv);

    /** Barrier. */
    void barrier();
}

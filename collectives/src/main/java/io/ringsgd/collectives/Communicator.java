package io.ringsgd.collectives;

import io.ringsgd.collectives.algorithm.CollectiveContext;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A group of ranks that run collectives together, like an MPI communicator. Every rank must call the same collectives
 * in the same order with the same count, element type, op, root and algorithm; a rank that does not makes every rank
 * fail with a {@link CollectiveMismatchException} rather than corrupt data, and a rank that dies or stalls past the
 * timeout makes every survivor fail with a {@link PeerFailureException} naming it. After any such failure the
 * communicator is unusable.
 *
 * <p>Non-blocking collectives ({@code iallreduce}, {@code ibroadcast}, {@link #submit}) run on a progress thread in
 * the order they were issued, interleaved correctly with blocking ones; their buffers belong to the communicator until
 * the returned {@link Request} completes. Every rank ends a collective with bit-identical results.
 *
 * <p>Arrays are addressed by offset and count, NIO buffers by absolute index and count (or position..limit); count 0
 * is allowed. Bad arguments throw {@link IllegalArgumentException} before anything is sent.
 */
public interface Communicator extends AutoCloseable {

    /** This rank, 0 ≤ rank &lt; size. */
    int rank();

    /** Number of ranks. */
    int size();

    /** The transport's name ("local", "tcp", "mpj"). */
    String transportName();

    /** The algorithm an AllReduce of {@code bytes} bytes with {@code options} runs on this group (AUTO resolved). */
    Algorithm allreduceAlgorithm(long bytes, CollectiveOptions options);

    // ------------------------------------------------------------------------------------ core operations

    /**
     * AllReduce of {@code send} into {@code recv} ({@code send} null: in place on {@code recv}).
     */
    void allreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /** Non-blocking {@link #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}. */
    Request iallreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /** Broadcast of {@code data} from {@code root} to every rank. */
    void broadcast(ElementBuffer data, int root, CollectiveOptions options);

    /** Non-blocking {@link #broadcast(ElementBuffer, int, CollectiveOptions)}. */
    Request ibroadcast(ElementBuffer data, int root, CollectiveOptions options);

    /**
     * Reduce of every rank's {@code send} into {@code recv} at {@code root}. {@code recv} is only written at the root
     * and may be null elsewhere; {@code send} null means in place at the root ({@code recv} holds its contribution).
     */
    void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options);

    /**
     * Reduce-scatter: {@code send} holds {@code size() × recv.count()} elements; block r of the reduction (elements
     * {@code [r·n, (r+1)·n)}) ends in rank r's {@code recv}.
     */
    void reduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /** All-gather: every rank's {@code send} ends in rank order in every rank's {@code recv} (size() × send.count()). */
    void allgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options);

    /** Returns on every rank once all ranks have entered it. */
    void barrier();

    /**
     * Runs a collective written outside this module against the transport (the GPU device AllReduce), in issue
     * order with the others, on the progress thread. The context's header arrives set to
     * {@link CollectiveKind#EXTERNAL} with this call's sequence number.
     */
    Request submit(CustomCollective collective);

    /** Leaves the group after the queued non-blocking collectives have finished. */
    @Override
    void close();

    /** A collective run by {@link #submit}. */
    @FunctionalInterface
    interface CustomCollective {
        void run(CollectiveContext ctx);
    }

    // ------------------------------------------------------------------------------------ allreduce on arrays

    default void allreduce(float[] buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(float[] buf, int offset, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(float[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    default void allreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        allreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    default void allreduce(double[] buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(double[] buf, int offset, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(double[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    default void allreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        allreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ allreduce on NIO buffers

    /** In place on the buffer's elements from position to limit. */
    default void allreduce(FloatBuffer buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(FloatBuffer buf, int index, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, index, count), op, CollectiveOptions.DEFAULT);
    }

    /** Out of place, position to limit of each (they must hold the same number of elements). */
    default void allreduce(FloatBuffer send, FloatBuffer recv, ReduceOp op) {
        allreduce(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(DoubleBuffer buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(DoubleBuffer buf, int index, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, index, count), op, CollectiveOptions.DEFAULT);
    }

    default void allreduce(DoubleBuffer send, DoubleBuffer recv, ReduceOp op) {
        allreduce(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ non-blocking allreduce

    default Request iallreduce(float[] buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(float[] buf, int offset, int count, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(float[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    default Request iallreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(double[] buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(double[] buf, int offset, int count, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count,
            ReduceOp op) {
        return iallreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(FloatBuffer buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    default Request iallreduce(DoubleBuffer buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ broadcast

    default void broadcast(float[] buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    default void broadcast(float[] buf, int offset, int count, int root) {
        broadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    default void broadcast(double[] buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    default void broadcast(double[] buf, int offset, int count, int root) {
        broadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    default void broadcast(FloatBuffer buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    default void broadcast(DoubleBuffer buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    default Request ibroadcast(float[] buf, int offset, int count, int root) {
        return ibroadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    default Request ibroadcast(double[] buf, int offset, int count, int root) {
        return ibroadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    default Request ibroadcast(FloatBuffer buf, int root) {
        return ibroadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    default Request ibroadcast(DoubleBuffer buf, int root) {
        return ibroadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ reduce

    /** Reduce of the whole of {@code send} into {@code recv} at {@code root} ({@code recv} may be null elsewhere). */
    default void reduce(float[] send, float[] recv, ReduceOp op, int root) {
        reduce(ElementBuffer.of(send), recv == null ? null : ElementBuffer.of(recv, 0, send.length), op, root,
                CollectiveOptions.DEFAULT);
    }

    default void reduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op,
            int root) {
        reduce(ElementBuffer.of(send, sendOffset, count),
                recv == null ? null : ElementBuffer.of(recv, recvOffset, count), op, root, CollectiveOptions.DEFAULT);
    }

    default void reduce(double[] send, double[] recv, ReduceOp op, int root) {
        reduce(ElementBuffer.of(send), recv == null ? null : ElementBuffer.of(recv, 0, send.length), op, root,
                CollectiveOptions.DEFAULT);
    }

    default void reduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op,
            int root) {
        reduce(ElementBuffer.of(send, sendOffset, count),
                recv == null ? null : ElementBuffer.of(recv, recvOffset, count), op, root, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ reduce-scatter, all-gather

    /** {@code send.length} must be {@code size() × recv.length}. */
    default void reduceScatter(float[] send, float[] recv, ReduceOp op) {
        reduceScatter(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    /** Reduces {@code size() × recvCount} elements of {@code send}; block {@code rank()} lands in {@code recv}. */
    default void reduceScatter(float[] send, int sendOffset, float[] recv, int recvOffset, int recvCount,
            ReduceOp op) {
        reduceScatter(ElementBuffer.of(send, sendOffset, Math.multiplyExact(recvCount, size())),
                ElementBuffer.of(recv, recvOffset, recvCount), op, CollectiveOptions.DEFAULT);
    }

    default void reduceScatter(double[] send, double[] recv, ReduceOp op) {
        reduceScatter(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    /** {@code recv.length} must be {@code size() × send.length}. */
    default void allgather(float[] send, float[] recv) {
        allgather(ElementBuffer.of(send), ElementBuffer.of(recv), CollectiveOptions.DEFAULT);
    }

    default void allgather(float[] send, int sendOffset, float[] recv, int recvOffset, int count) {
        allgather(ElementBuffer.of(send, sendOffset, count),
                ElementBuffer.of(recv, recvOffset, Math.multiplyExact(count, size())), CollectiveOptions.DEFAULT);
    }

    default void allgather(double[] send, double[] recv) {
        allgather(ElementBuffer.of(send), ElementBuffer.of(recv), CollectiveOptions.DEFAULT);
    }
}

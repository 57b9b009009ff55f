package io.ringsgd.collectives;

import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.trace.Tracer;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A group of ranks that run collectives together, like an MPI communicator: this rank's handle on it. Obtain one
 * from {@link Communicators#local} / {@link Communicators#runLocal} (ranks as threads of one JVM),
 * {@link io.ringsgd.collectives.tcp.TcpCommunicators} (one process per rank) or {@code ringsgd-launch}'s MPJ Express
 * bridge.
 *
 * <p><b>Matching.</b> Every rank must call the same collectives in the same order with the same count, element type,
 * op, root and algorithm (as in MPI). A rank that does not makes every rank fail with a
 * {@link CollectiveMismatchException} where the disagreeing messages meet, rather than corrupt data; a rank that
 * dies, closes its communicator or stalls past the timeout ({@link CommunicatorConfig#timeout()}) makes every
 * survivor fail with a {@link PeerFailureException} naming it. After any failure the communicator is unusable: every
 * later call throws the same failure ({@link CollectiveException}), and the job should stop or build a new group.
 *
 * <p><b>Results.</b> Every rank ends a collective with bit-identical results, whatever the inputs (NaN payloads,
 * signed zeros and infinities included); with compression, every rank decodes the same bytes. Reductions are
 * element-wise in the element type's own arithmetic; AVG is SUM divided by {@link #size()}.
 *
 * <p><b>Blocking and non-blocking.</b> Blocking collectives return when this rank's part is done and its output
 * buffer holds the result (a non-root rank of a reduce may return before the root has its result, as in MPI).
 * Non-blocking ones ({@code iallreduce}, {@code ibroadcast}, {@link #submit}) return a {@link Request} at once and run
 * on one progress thread per communicator, in the order they were issued, interleaved correctly with blocking ones;
 * their buffers belong to the communicator until the request completes.
 *
 * <p><b>Threads.</b> A communicator takes its collectives from one thread at a time (like
 * {@code MPI_THREAD_SERIALIZED}): a collective called while a collective issued by another thread has not completed
 * throws {@link IllegalStateException} and fails the communicator on every rank, because nothing could order the two
 * threads' calls the same way on every rank. Threads may take turns (one waits until the other's collectives have
 * completed), but every rank must hand over at the same collective: the ranks check this on the wire and fail with
 * a {@link CollectiveMismatchException} otherwise. Two threads whose calls happen never to overlap yet pair up
 * differently on different ranks cannot be told apart: order such threads yourself, or give each a group of its own.
 * {@link #rank()}, {@link #size()}, {@link #transportName()}, {@link #allreduceAlgorithm} and {@link #close()} may
 * be called from any thread; {@link Request}s may be awaited from any thread.
 *
 * <p><b>Arguments.</b> Arrays are addressed by offset and count, NIO buffers by absolute index and count (or
 * position..limit, without moving the position); count 0 is allowed. Read-only buffers are accepted wherever a call
 * only reads them (the root of a broadcast, the send side of every other collective). Bad arguments (null, out of
 * range, a read-only buffer the call would write, an algorithm the collective or transport lacks) throw
 * {@link IllegalArgumentException} on the calling thread before anything is sent: the call uses no sequence number,
 * and this rank may go on with a correct call.
 */
public interface Communicator extends AutoCloseable {

    /** This rank, 0 ≤ rank &lt; size. */
    int rank();

    /** Number of ranks in the group. */
    int size();

    /** The transport's name ("local", "tcp", "mpj"; "+emulated" when a link is emulated). */
    String transportName();

    /**
     * The algorithm an AllReduce of {@code bytes} bytes with {@code options} runs on this group: AUTO resolved through
     * the job-wide setting and the selection table; RING when compressed. Sends nothing.
     */
    Algorithm allreduceAlgorithm(long bytes, CollectiveOptions options);

    // ------------------------------------------------------------------------------------ core operations

    /**
     * AllReduce: every rank's {@code recv} ends holding {@code op} applied element-wise over all ranks' inputs. Blocks
     * until this rank's result is in {@code recv}.
     *
     * @param send this rank's input, only read (may be read-only); null for in place, {@code recv} holding the input.
     *     Out of place it must have {@code recv}'s type and count and must not overlap it.
     * @param recv the result (float or double elements, writable)
     * @param op the reduction; AVG divides the SUM by {@link #size()}
     * @param options algorithm (AUTO: the selection table), segment size, compression (float SUM and AVG only)
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void allreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}: checks the
     * arguments and returns at once; the collective runs on the progress thread in issue order. {@code send} and
     * {@code recv} (and a quantization error sink) must not be touched until the request completes; its failure is
     * thrown by {@link Request#await()}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iallreduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Broadcast: every rank's {@code data} ends holding the root's. Blocks until this rank's part is done (at the
     * root: its data has been handed on; elsewhere: {@code data} holds the root's). The root only reads {@code data},
     * which may be read-only there; every rank must pass the same count and type.
     *
     * @throws IllegalArgumentException for bad arguments (a read-only buffer on a rank that receives, a root out of
     *     range), before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree (root included, where messages meet)
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void broadcast(ElementBuffer data, int root, CollectiveOptions options);

    /**
     * Non-blocking {@link #broadcast(ElementBuffer, int, CollectiveOptions)}: returns at once; {@code data} belongs to
     * the communicator until the request completes.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ibroadcast(ElementBuffer data, int root, CollectiveOptions options);

    /**
     * Reduce of every rank's {@code send} into {@code recv} at {@code root}. {@code recv} is only written at the root
     * and may be null elsewhere; {@code send} null means in place at the root ({@code recv} holds its contribution).
     * {@code send} is only read and may be read-only. Blocks until this rank's part is done: at the root, the result
     * is in {@code recv}; elsewhere the call may return as soon as this rank's data has been handed on.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options);

    /**
     * Reduce-scatter: {@code send} holds {@code size() × recv.count()} elements; block r of the reduction (elements
     * {@code [r·n, (r+1)·n)}) ends in rank r's {@code recv}. {@code send} is only read (it may be read-only) and must
     * not overlap {@code recv}. Blocks until this rank's block is in {@code recv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * All-gather: every rank's {@code send} ends in rank order in every rank's {@code recv}, which holds
     * {@code size() × send.count()} elements. {@code send} is only read and may be read-only. Blocks until
     * {@code recv} is complete.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void allgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options);

    /**
     * Blocks until every rank has entered the barrier.
     *
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void barrier();

    /**
     * Runs a collective written outside this module against the transport (the GPU device AllReduce) on the
     * progress thread, in issue order with the others, and returns at once. The context's header arrives set to
     * {@link CollectiveKind#EXTERNAL} with this call's sequence number; the collective must send and receive only
     * through the context, and every rank must submit the same collectives in the same order. Whatever it throws
     * fails the communicator on every rank and is thrown by {@link Request#await()}.
     *
     * @throws IllegalArgumentException if {@code collective} is null
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request submit(CustomCollective collective);

    /**
     * The timeline this communicator records its collectives and messages on ({@link Tracer#OFF} unless the
     * configuration gave one): code above it (trainers) adds its own spans there, so that one trace shows both.
     */
    default Tracer tracer() {
        return Tracer.OFF;
    }

    /**
     * Leaves the group: waits for the queued non-blocking collectives to finish, stops the progress thread and
     * closes the transport. Peers that still expect messages from this rank fail naming it; others are unaffected.
     * Idempotent; may be called from any thread but not from a collective running on the progress thread.
     */
    @Override
    void close();

    /** A collective run by {@link #submit}, on the progress thread. */
    @FunctionalInterface
    interface CustomCollective {
        /** Runs this rank's part; returns when it is done. {@code ctx} is only valid during the call. */
        void run(CollectiveContext ctx);
    }

    // ------------------------------------------------------------------------------------ allreduce on arrays

    /**
     * Blocking AllReduce of the whole array in place, algorithm chosen by the table: {@link #allreduce(ElementBuffer,
     * ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(float[] buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce of {@code count} elements from {@code offset}, in place: {@link #allreduce(ElementBuffer,
     * ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(float[] buf, int offset, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce of {@code count} elements from {@code offset}, in place, with {@code options}: {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(float[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    /**
     * Blocking out-of-place AllReduce of {@code count} elements ({@code send} only read): {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        allreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce of the whole array in place: {@link #allreduce(ElementBuffer, ElementBuffer, ReduceOp,
     * CollectiveOptions)}.
     */
    default void allreduce(double[] buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce of {@code count} elements from {@code offset}, in place: {@link #allreduce(ElementBuffer,
     * ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(double[] buf, int offset, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce of {@code count} elements from {@code offset}, in place, with {@code options}: {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(double[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        allreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    /**
     * Blocking out-of-place AllReduce of {@code count} elements ({@code send} only read): {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count, ReduceOp op) {
        allreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ allreduce on NIO buffers

    /** In place on the buffer's elements from position to limit. */
    default void allreduce(FloatBuffer buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce in place of {@code count} elements from absolute index {@code index} (the position is
     * ignored): {@link #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(FloatBuffer buf, int index, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, index, count), op, CollectiveOptions.DEFAULT);
    }

    /** Out of place, position to limit of each (they must hold the same number of elements). */
    default void allreduce(FloatBuffer send, FloatBuffer recv, ReduceOp op) {
        allreduce(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce in place of the buffer's elements from position to limit (the position does not move): {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(DoubleBuffer buf, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking AllReduce in place of {@code count} elements from absolute index {@code index}: {@link
     * #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(DoubleBuffer buf, int index, int count, ReduceOp op) {
        allreduce(null, ElementBuffer.of(buf, index, count), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking out-of-place AllReduce, position to limit of each (equal counts; {@code send} only read, may be read-
     * only): {@link #allreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void allreduce(DoubleBuffer send, DoubleBuffer recv, ReduceOp op) {
        allreduce(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ non-blocking allreduce

    /**
     * Non-blocking AllReduce of the whole array in place; do not touch it until the request completes: {@link
     * #iallreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(float[] buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce of {@code count} elements from {@code offset}, in place: {@link #iallreduce(ElementBuffer,
     * ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(float[] buf, int offset, int count, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce of {@code count} elements from {@code offset}, in place, with {@code options}: {@link
     * #iallreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(float[] buf, int offset, int count, ReduceOp op, CollectiveOptions options) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, options);
    }

    /**
     * Non-blocking out-of-place AllReduce of {@code count} elements: {@link #iallreduce(ElementBuffer, ElementBuffer,
     * ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op) {
        return iallreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce of the whole array in place: {@link #iallreduce(ElementBuffer, ElementBuffer, ReduceOp,
     * CollectiveOptions)}.
     */
    default Request iallreduce(double[] buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce of {@code count} elements from {@code offset}, in place: {@link #iallreduce(ElementBuffer,
     * ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(double[] buf, int offset, int count, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf, offset, count), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking out-of-place AllReduce of {@code count} elements: {@link #iallreduce(ElementBuffer, ElementBuffer,
     * ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(double[] send, int sendOffset, double[] recv, int recvOffset, int count,
            ReduceOp op) {
        return iallreduce(ElementBuffer.of(send, sendOffset, count), ElementBuffer.of(recv, recvOffset, count), op,
                CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce in place of the buffer's elements from position to limit: {@link
     * #iallreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(FloatBuffer buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking AllReduce in place of the buffer's elements from position to limit: {@link
     * #iallreduce(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default Request iallreduce(DoubleBuffer buf, ReduceOp op) {
        return iallreduce(null, ElementBuffer.of(buf), op, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ broadcast

    /**
     * Blocking broadcast of the whole array from {@code root}: {@link #broadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default void broadcast(float[] buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking broadcast of {@code count} elements from {@code offset}, from {@code root}: {@link
     * #broadcast(ElementBuffer, int, CollectiveOptions)}.
     */
    default void broadcast(float[] buf, int offset, int count, int root) {
        broadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking broadcast of the whole array from {@code root}: {@link #broadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default void broadcast(double[] buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking broadcast of {@code count} elements from {@code offset}, from {@code root}: {@link
     * #broadcast(ElementBuffer, int, CollectiveOptions)}.
     */
    default void broadcast(double[] buf, int offset, int count, int root) {
        broadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking broadcast of the buffer's elements from position to limit (read-only at the root is fine): {@link
     * #broadcast(ElementBuffer, int, CollectiveOptions)}.
     */
    default void broadcast(FloatBuffer buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking broadcast of the buffer's elements from position to limit (read-only at the root is fine): {@link
     * #broadcast(ElementBuffer, int, CollectiveOptions)}.
     */
    default void broadcast(DoubleBuffer buf, int root) {
        broadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking broadcast of {@code count} elements from {@code offset}: {@link #ibroadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default Request ibroadcast(float[] buf, int offset, int count, int root) {
        return ibroadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking broadcast of {@code count} elements from {@code offset}: {@link #ibroadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default Request ibroadcast(double[] buf, int offset, int count, int root) {
        return ibroadcast(ElementBuffer.of(buf, offset, count), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking broadcast of the buffer's elements from position to limit: {@link #ibroadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default Request ibroadcast(FloatBuffer buf, int root) {
        return ibroadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    /**
     * Non-blocking broadcast of the buffer's elements from position to limit: {@link #ibroadcast(ElementBuffer, int,
     * CollectiveOptions)}.
     */
    default Request ibroadcast(DoubleBuffer buf, int root) {
        return ibroadcast(ElementBuffer.of(buf), root, CollectiveOptions.DEFAULT);
    }

    // ------------------------------------------------------------------------------------ reduce

    /** Reduce of the whole of {@code send} into {@code recv} at {@code root} ({@code recv} may be null elsewhere). */
    default void reduce(float[] send, float[] recv, ReduceOp op, int root) {
        reduce(ElementBuffer.of(send), recv == null ? null : ElementBuffer.of(recv, 0, send.length), op, root,
                CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking reduce of {@code count} elements of {@code send} into {@code recv} at {@code root} ({@code recv} may be
     * null elsewhere): {@link #reduce(ElementBuffer, ElementBuffer, ReduceOp, int, CollectiveOptions)}.
     */
    default void reduce(float[] send, int sendOffset, float[] recv, int recvOffset, int count, ReduceOp op,
            int root) {
        reduce(ElementBuffer.of(send, sendOffset, count),
                recv == null ? null : ElementBuffer.of(recv, recvOffset, count), op, root, CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking reduce of the whole of {@code send} into {@code recv} at {@code root} ({@code recv} may be null
     * elsewhere): {@link #reduce(ElementBuffer, ElementBuffer, ReduceOp, int, CollectiveOptions)}.
     */
    default void reduce(double[] send, double[] recv, ReduceOp op, int root) {
        reduce(ElementBuffer.of(send), recv == null ? null : ElementBuffer.of(recv, 0, send.length), op, root,
                CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking reduce of {@code count} elements of {@code send} into {@code recv} at {@code root} ({@code recv} may be
     * null elsewhere): {@link #reduce(ElementBuffer, ElementBuffer, ReduceOp, int, CollectiveOptions)}.
     */
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

    /**
     * Blocking reduce-scatter; {@code send.length} must be {@code size() × recv.length}: {@link
     * #reduceScatter(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     */
    default void reduceScatter(double[] send, double[] recv, ReduceOp op) {
        reduceScatter(ElementBuffer.of(send), ElementBuffer.of(recv), op, CollectiveOptions.DEFAULT);
    }

    /** {@code recv.length} must be {@code size() × send.length}. */
    default void allgather(float[] send, float[] recv) {
        allgather(ElementBuffer.of(send), ElementBuffer.of(recv), CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking all-gather of {@code count} elements per rank into {@code size() × count} elements of {@code recv} from
     * {@code recvOffset}: {@link #allgather(ElementBuffer, ElementBuffer, CollectiveOptions)}.
     */
    default void allgather(float[] send, int sendOffset, float[] recv, int recvOffset, int count) {
        allgather(ElementBuffer.of(send, sendOffset, count),
                ElementBuffer.of(recv, recvOffset, Math.multiplyExact(count, size())), CollectiveOptions.DEFAULT);
    }

    /**
     * Blocking all-gather; {@code recv.length} must be {@code size() × send.length}: {@link #allgather(ElementBuffer,
     * ElementBuffer, CollectiveOptions)}.
     */
    default void allgather(double[] send, double[] recv) {
        allgather(ElementBuffer.of(send), ElementBuffer.of(recv), CollectiveOptions.DEFAULT);
    }
}

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
 * <p><b>Collectives.</b> As in MPI: allreduce, broadcast, reduce, reduce-scatter (equal blocks, and
 * {@link #reduceScatterv} with per-rank counts), all-gather ({@link #allgatherv}), gather ({@link #gatherv}),
 * scatter ({@link #scatterv}), all-to-all ({@link #alltoallv}), inclusive and exclusive scan, barrier, MINLOC /
 * MAXLOC ({@link #allreduceLoc}) and user-defined reductions ({@link UserReduction}); {@link #dup()} makes an
 * independent context on the same group. In-place forms (MPI_IN_PLACE) pass null for the buffer MPI would mark:
 * {@code send} of allreduce, reduce and gather(v) at the root, scan and exscan, allgatherv, alltoall; {@code recv} of
 * scatter(v) at the root.
 *
 * <p><b>Elements and ops.</b> {@code float}, {@code double}, {@code int}, {@code long} and {@code byte}, in arrays or
 * NIO buffers ({@link ElementBuffer}). Reductions are element-wise in the element type's own arithmetic: SUM, PROD,
 * MIN, MAX on every type (integers wrap around as Java's {@code +} and {@code *} do), AVG (SUM divided by
 * {@link #size()}) on floats and doubles, bitwise and logical ops on the integer types; see {@link ReduceOp}. An op
 * that does not apply to the type is refused at the call.
 *
 * <p><b>Results.</b> Every rank ends a collective with bit-identical results, whatever the inputs (NaN payloads,
 * signed zeros and infinities included); with compression, every rank decodes the same bytes.
 *
 * <p><b>Blocking and non-blocking.</b> Blocking collectives return when this rank's part is done and its output
 * buffer holds the result (a non-root rank of a reduce may return before the root has its result, as in MPI).
 * Every collective but dup has a non-blocking form ({@code iallreduce}, {@code ibroadcast}, {@code ireduce},
 * {@code igather}, {@code ialltoall}, {@code ibarrier}, ..., and {@link #submit}); they return a {@link Request} at
 * once and run on one progress thread per communicator, in the order they were issued, interleaved correctly with
 * blocking ones; their buffers belong to the communicator until the request completes.
 *
 * <p><b>Threads.</b> A communicator takes its collectives from one thread at a time (like
 * {@code MPI_THREAD_SERIALIZED}): a collective called while a collective issued by another thread has not completed
 * throws {@link IllegalStateException} and fails the communicator on every rank, because nothing could order the two
 * threads' calls the same way on every rank. Threads may take turns (one waits until the other's collectives have
 * completed), but every rank must hand over at the same collective: the ranks check this on the wire and fail with
 * a {@link CollectiveMismatchException} otherwise. Two threads whose calls happen never to overlap yet pair up
 * differently on different ranks cannot be told apart: order such threads yourself, or give each a communicator of
 * its own with {@link #dup()}, which may be used at the same time as the original.
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
     * the job-wide setting and the selection table; RING when compressed (the compressed ring, or for 2bit and 1bit the
     * ring all-gather of every rank's encoding). Sends nothing.
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
     * Non-blocking {@link #reduce(ElementBuffer, ElementBuffer, ReduceOp, int, CollectiveOptions)}: checks the
     * arguments and returns at once; the buffers belong to the communicator until the request completes.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ireduce(ElementBuffer send, ElementBuffer recv, ReduceOp op, int root, CollectiveOptions options);

    /**
     * Non-blocking {@link #reduceScatter(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ireduceScatter(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #allgather(ElementBuffer, ElementBuffer, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iallgather(ElementBuffer send, ElementBuffer recv, CollectiveOptions options);

    /**
     * Non-blocking {@link #barrier()}: the request completes once every rank has entered the barrier.
     *
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ibarrier();

    /**
     * Gather: every rank's {@code send} ({@code n} elements, the same n on every rank) ends in rank order in the
     * root's {@code recv} ({@code size() × n} elements). {@code recv} is only used at the root (null is fine
     * elsewhere); {@code send} null at the root means in place: its block is already at {@code root × n} of
     * {@code recv}. Algorithms: LINEAR (AUTO's choice up to 4 ranks), TREE (binomial, above). Blocks until this
     * rank's part is done (a non-root may return once its block is handed on).
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree (count, type, root)
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void gather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options);

    /**
     * Non-blocking {@link #gather(ElementBuffer, ElementBuffer, int, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request igather(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options);

    /**
     * Scatter: block q of the root's {@code send} ({@code size() × n} elements, only read) ends in rank q's
     * {@code recv} ({@code n} elements). {@code send} is only used at the root; {@code recv} null at the root means in
     * place (the root's block stays in {@code send}). Algorithms: LINEAR (AUTO's choice up to 4 ranks), TREE
     * (binomial, above).
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void scatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options);

    /**
     * Non-blocking {@link #scatter(ElementBuffer, ElementBuffer, int, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iscatter(ElementBuffer send, ElementBuffer recv, int root, CollectiveOptions options);

    /**
     * All-to-all: {@code send} and {@code recv} each hold {@code size()} blocks of n elements; block q of this rank's
     * {@code send} ends as block {@code rank()} of rank q's {@code recv}. They must not overlap; {@code send} null
     * means in place ({@code recv} holds the blocks to send, copied before they are overwritten). Algorithms: BRUCK
     * (short messages), PAIRWISE (long ones); AUTO picks by the bytes each rank sends.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void alltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options);

    /**
     * Non-blocking {@link #alltoall(ElementBuffer, ElementBuffer, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ialltoall(ElementBuffer send, ElementBuffer recv, CollectiveOptions options);

    /**
     * Inclusive scan: rank r's {@code recv} ends holding {@code op} over ranks 0..r's inputs, combined in rank order.
     * {@code send} null means in place ({@code recv} holds the input). AVG has no prefix form. Algorithm:
     * RECURSIVE_DOUBLING.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void scan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #scan(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Exclusive scan: rank r &gt; 0's {@code recv} ends holding {@code op} over ranks 0..r−1's inputs; rank 0's
     * {@code recv} is left unchanged (MPI leaves it undefined). {@code send} null means in place.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void exscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #exscan(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iexscan(ElementBuffer send, ElementBuffer recv, ReduceOp op, CollectiveOptions options);

    /**
     * All-gather with per-rank counts: rank q's {@code send} ({@code recvCounts[q]} elements) ends at
     * {@code displs[q]} of every rank's {@code recv} ({@code displs} null: packed in rank order). Every rank passes the
     * same counts; {@code send} null means in place (this rank's block is already in {@code recv}). A rank whose
     * counts disagree makes the messages' sizes disagree, which fails every rank with a
     * {@link CollectiveMismatchException}. Algorithm: RING. The count arrays are copied at the call.
     *
     * @throws IllegalArgumentException for bad arguments (a count array of the wrong length, a negative count, a block
     *     outside {@code recv}, {@code send}'s count other than {@code recvCounts[rank()]}), before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void allgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options);

    /**
     * Non-blocking {@link #allgatherv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iallgatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs,
            CollectiveOptions options);

    /**
     * Gather with per-rank counts: rank q's {@code send} ends at {@code displs[q]} of the root's {@code recv}; the
     * counts and displacements are only read at the root (null elsewhere is fine), and each rank's {@code send} must
     * hold {@code recvCounts[q]} elements (a disagreement fails every rank with a
     * {@link CollectiveMismatchException}). {@code send} null at the root means in place. Algorithm: LINEAR.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void gatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options);

    /**
     * Non-blocking {@link #gatherv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request igatherv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, int[] displs, int root,
            CollectiveOptions options);

    /**
     * Scatter with per-rank counts: {@code sendCounts[q]} elements of the root's {@code send} from {@code displs[q]}
     * end in rank q's {@code recv}, which must hold exactly that many. The counts are only read at the root;
     * {@code recv} null at the root means in place. Algorithm: LINEAR.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void scatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options);

    /**
     * Non-blocking {@link #scatterv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iscatterv(ElementBuffer send, int[] sendCounts, int[] displs, ElementBuffer recv, int root,
            CollectiveOptions options);

    /**
     * All-to-all with per-rank counts: {@code sendCounts[q]} elements of {@code send} from {@code sendDispls[q]} go to
     * rank q, which receives them into {@code recv} at its {@code recvDispls[rank()]}; rank q's
     * {@code recvCounts[r]} must equal rank r's {@code sendCounts[q]} (otherwise every rank fails with a
     * {@link CollectiveMismatchException}). Null displacements mean packed blocks. Algorithm: PAIRWISE.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void alltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv, int[] recvCounts,
            int[] recvDispls, CollectiveOptions options);

    /**
     * Non-blocking {@link #alltoallv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ialltoallv(ElementBuffer send, int[] sendCounts, int[] sendDispls, ElementBuffer recv, int[] recvCounts,
            int[] recvDispls, CollectiveOptions options);

    /**
     * Reduce-scatter with per-rank counts ({@code MPI_Reduce_scatter}): {@code send} holds the sum of
     * {@code recvCounts} elements, block q (packed in rank order) reduced over all ranks ends in rank q's
     * {@code recv} of {@code recvCounts[q]} elements. Every rank passes the same counts. Algorithm: PAIRWISE.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options);

    /**
     * Non-blocking {@link #reduceScatterv}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ireduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, ReduceOp op,
            CollectiveOptions options);

    /**
     * AllReduce with a {@link UserReduction}: every rank's {@code recv} ends holding x<sub>0</sub> ∘ … ∘
     * x<sub>P−1</sub> (in rank order when the reduction is not commutative), bit-identical on every rank. {@code send}
     * null means in place. Algorithms: recursive doubling (keeps the rank order; AUTO's choice where the table picks
     * it), tree (an order-keeping binomial reduce to rank 0 and a binomial broadcast; AUTO's choice for the longer
     * vectors of a non-commutative reduction) and, for a commutative reduction only, ring (AUTO's choice for its
     * longer vectors); forcing another algorithm is refused.
     *
     * @throws IllegalArgumentException for bad arguments or an algorithm the reduction cannot run on, before anything
     *     is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree (a user reduction on one rank, a built-in op
     *     on another)
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void allreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /**
     * Non-blocking {@link #allreduce(ElementBuffer, ElementBuffer, UserReduction, CollectiveOptions)}; the function
     * runs on the progress thread.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iallreduce(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /**
     * Reduce with a {@link UserReduction} into the root's {@code recv} (null elsewhere; {@code send} null at the root
     * means in place), in rank order.
     *
     * @throws IllegalArgumentException for bad arguments or an algorithm other than auto or tree, before anything is
     *     sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root, CollectiveOptions options);

    /**
     * Non-blocking {@link #reduce(ElementBuffer, ElementBuffer, UserReduction, int, CollectiveOptions)}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ireduce(ElementBuffer send, ElementBuffer recv, UserReduction op, int root, CollectiveOptions options);

    /**
     * Reduce-scatter with a {@link UserReduction}: block r of x<sub>0</sub> ∘ … ∘ x<sub>P−1</sub> (in rank order) into
     * rank r's {@code recv}, as {@link #reduceScatter(ElementBuffer, ElementBuffer, ReduceOp, CollectiveOptions)}.
     * Runs as an order-keeping binomial reduce to rank 0 then a scatter (algorithm auto or tree).
     *
     * @throws IllegalArgumentException for bad arguments or another algorithm, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduceScatter(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /** Non-blocking {@link #reduceScatter(ElementBuffer, ElementBuffer, UserReduction, CollectiveOptions)}. */
    Request ireduceScatter(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /**
     * {@link #reduceScatterv(ElementBuffer, ElementBuffer, int[], ReduceOp, CollectiveOptions)} with a
     * {@link UserReduction}, in rank order: an order-keeping binomial reduce to rank 0 then a scatter.
     *
     * @throws IllegalArgumentException for bad arguments or an algorithm other than auto or tree, before anything is
     *     sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls or counts disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, UserReduction op,
            CollectiveOptions options);

    /** Non-blocking {@link #reduceScatterv(ElementBuffer, ElementBuffer, int[], UserReduction, CollectiveOptions)}. */
    Request ireduceScatterv(ElementBuffer send, ElementBuffer recv, int[] recvCounts, UserReduction op,
            CollectiveOptions options);

    /**
     * Inclusive scan with a {@link UserReduction}: rank r's {@code recv} ends holding x<sub>0</sub> ∘ … ∘
     * x<sub>r</sub>, in rank order ({@code send} null: in place). Recursive doubling, combining the lower ranks'
     * operand first.
     *
     * @throws IllegalArgumentException for bad arguments or an algorithm other than auto or recursive-doubling,
     *     before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void scan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /** Non-blocking {@link #scan(ElementBuffer, ElementBuffer, UserReduction, CollectiveOptions)}. */
    Request iscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /**
     * Exclusive scan with a {@link UserReduction}: rank r > 0's {@code recv} ends holding x<sub>0</sub> ∘ … ∘
     * x<sub>r−1</sub>; rank 0's is left as it was ({@code send} null: in place).
     *
     * @throws IllegalArgumentException for bad arguments or an algorithm other than auto or recursive-doubling,
     *     before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void exscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /** Non-blocking {@link #exscan(ElementBuffer, ElementBuffer, UserReduction, CollectiveOptions)}. */
    Request iexscan(ElementBuffer send, ElementBuffer recv, UserReduction op, CollectiveOptions options);

    /**
     * MINLOC / MAXLOC AllReduce ({@code MPI_MINLOC}, {@code MPI_MAXLOC}), in place: element i of every rank's
     * {@code values} ends holding the minimum (maximum) of the ranks' element i, and element i of {@code indices} the
     * lowest index that a rank holding that value paired with it. Values are ordered as {@link Math#min} and
     * {@link Math#max} order them (−0.0 below +0.0) and a NaN wins (float results give {@link Float#NaN}). Int, byte
     * and float values travel packed with their index, one long per pair: one AllReduce of longs. Long and double
     * values take two AllReduces (the extreme values, then the lowest index among the ranks that hold them). The
     * algorithm is the one the table picks for the bytes moved (or the one forced).
     *
     * @param values float, double, int, long or byte values (writable)
     * @param indices int indices, one per value (writable)
     * @param op MINLOC or MAXLOC
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void allreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #allreduceLoc}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iallreduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options);

    /**
     * MINLOC / MAXLOC to {@code root} ({@code MPI_Reduce} with {@code MPI_MINLOC}, {@code MPI_MAXLOC}): as
     * {@link #allreduceLoc}, but only the root's {@code values} and {@code indices} are overwritten with the result;
     * the other ranks' are only read (and may be read-only). Int, byte and float values: one reduce of packed pairs;
     * long and double values: an AllReduce of the values, then a reduce of the indices.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void reduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, int root, CollectiveOptions options);

    /**
     * Inclusive prefix MINLOC / MAXLOC ({@code MPI_Scan} with {@code MPI_MINLOC}, {@code MPI_MAXLOC}), in place: rank
     * r's {@code values} and {@code indices} end holding the extreme over ranks 0..r and the lowest index paired with
     * it, ordered as in {@link #allreduceLoc}. One recursive-doubling scan: of packed longs for int, byte and float
     * values, of (value, index) pairs of longs for long and double ones.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    void scanLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #scanLoc}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request iscanLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, CollectiveOptions options);

    /**
     * Non-blocking {@link #reduceLoc}.
     *
     * @throws IllegalArgumentException for bad arguments, before anything is sent
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    Request ireduceLoc(ElementBuffer values, ElementBuffer indices, ReduceOp op, int root, CollectiveOptions options);

    /**
     * A new communicator on the same group with a communication context of its own ({@code MPI_Comm_dup}): its
     * collectives never match this one's, so the two may be used at the same time from different threads (each
     * still takes its own collectives from one thread at a time), and a library can run its collectives beside the
     * application's. Collective: every rank calls it at the same point; blocks until the new context is connected
     * (TCP: a new set of connections, made with the same options and secret). The new communicator has this one's
     * configuration and must be closed on its own; closing this one does not close it.
     *
     * @throws UnsupportedOperationException (before anything is sent) if the transport has no contexts: the MPJ
     *     Express transport
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    Communicator dup();

    /**
     * Non-blocking {@link #dup()} ({@code MPI_Comm_idup}): starts making the new context in issue order on the
     * progress thread and returns at once; {@link DupRequest#communicator()} waits for it and returns the new
     * communicator (each call the same one), which must be closed on its own.
     *
     * @throws UnsupportedOperationException (before anything is sent) if the transport has no contexts: the MPJ
     *     Express transport
     * @throws IllegalStateException if another thread's collective on this communicator has not completed
     */
    DupRequest idup();

    /** The request of an {@link #idup()}: completes when the new context is connected on this rank. */
    interface DupRequest extends Request {
        /**
         * Waits for the dup, as {@link #await()}, and returns the new communicator.
         *
         * @throws CollectiveException the dup's failure (a peer failure, a mismatch)
         */
        Communicator communicator();
    }

    /**
     * Splits the group by {@code color} ({@code MPI_Comm_split}): the ranks that pass the same non-negative color make
     * one new communicator, ranked by {@code key} (ties by their rank here), with a communication context of its own
     * and this one's configuration; a negative color ({@code MPI_UNDEFINED}) takes part and gets null. Collective:
     * every rank calls it at the same point. The new communicator must be closed on its own; it cannot itself be
     * split or duplicated, and a peer failure in it names the peer by its rank in this communicator.
     *
     * @throws UnsupportedOperationException (before anything is sent) if the transport has no contexts: the MPJ
     *     Express transport
     * @throws CollectiveMismatchException if the ranks' calls disagree
     * @throws PeerFailureException if a rank died, left or stalled past the timeout
     */
    Communicator split(int color, int key);

    /**
     * Splits the group by label: the ranks that pass equal {@code label}s make one new communicator, in the order of
     * their ranks here ({@link #split} with a string for a color). Labels are compared by a 64-bit hash, exchanged
     * with one all-gather of {@code long}s. Collective, as {@link #split}.
     *
     * @throws NullPointerException if {@code label} is null
     * @throws UnsupportedOperationException on every rank, after the labels were exchanged, if the transport has no
     *     contexts: the MPJ Express transport
     */
    default Communicator splitByLabel(String label) {
        return split(HostKey.groupOf(this, label), rank());
    }

    /**
     * The ranks of this rank's host ({@code MPI_Comm_split_type(MPI_COMM_TYPE_SHARED)}): those that share its kernel
     * and network namespace ({@link HostKey#local()}), in the order of their ranks here. Collective, as
     * {@link #split}.
     *
     * @throws UnsupportedOperationException on every rank, after the host keys were exchanged, if the transport has
     *     no contexts: the MPJ Express transport
     */
    default Communicator splitByHost() {
        return splitByLabel(HostKey.local());
    }

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
     * Bytes this rank's transport has posted for sending since the communicator was made, counted by the transport
     * (payload plus its framing; see {@link io.ringsgd.collectives.transport.Transport#bytesSent()}), or −1 where the
     * transport does not count. Differences between two readings taken when no collective is in flight give the
     * bytes of the collectives in between.
     */
    default long bytesSent() {
        return -1;
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

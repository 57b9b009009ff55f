package io.ringsgd.collectives;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A non-blocking collective in flight ({@code MPI_Request}), returned by {@code iallreduce}, {@code ibroadcast} and
 * {@link Communicator#submit}. Its buffers belong to the communicator until it completes: touching them before gives
 * undefined results. Once {@link #await()} has returned normally (or {@link #await(Duration)} has returned true, or
 * {@link #isDone()} is true without a failure), every write of the collective to this rank's buffers is visible to
 * the calling thread. Thread-safe: any thread may wait for or test a request, any number of times.
 */
public interface Request {

    /**
     * Blocks until the collective completes ({@code MPI_Wait}); rethrows its failure. Not interruptible: an interrupt
     * is remembered (the thread's interrupt status is set again on return) but the wait goes on, since the buffers
     * are the collective's until it completes.
     *
     * @throws CollectiveException the collective's failure (a peer failure, a mismatch, another rank's error)
     */
    void await();

    /**
     * Blocks at most {@code timeout}; returns true if the collective completed, false if not yet (it keeps running
     * and its buffers are still its own) or if the calling thread was interrupted (its interrupt status is set).
     * Always check the result before reading the buffers.
     *
     * @throws CollectiveException the collective's failure, if it completed with one
     */
    boolean await(Duration timeout);

    /** True once the collective has completed, successfully or not ({@code MPI_Test}); never blocks. */
    boolean isDone();

    /**
     * A future completed when the collective completes (exceptionally with its failure); completing or cancelling it
     * does not affect the collective. Its dependent actions may run on the communicator's progress thread: keep them
     * short, and do not call collectives from them.
     */
    CompletableFuture<Void> toCompletableFuture();
}

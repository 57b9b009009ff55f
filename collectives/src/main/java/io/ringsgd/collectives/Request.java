package io.ringsgd.collectives;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A non-blocking collective in flight ({@code MPI_Request}). Its buffers must not be touched until it completes.
 */
public interface Request {

    /** Waits until the collective completes; rethrows its failure. */
    void await();

    /**
     * Waits at most {@code timeout}; returns false if it has not completed by then (it keeps running).
     * Rethrows its failure if it completed with one.
     */
    boolean await(Duration timeout);

    /** True once the collective has completed, successfully or not ({@code MPI_Test}). */
    boolean isDone();

    /** A future completed when the collective completes; completing or cancelling it does not affect the collective. */
    CompletableFuture<Void> toCompletableFuture();
}

package io.ringsgd.collectives.engine;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Request;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** A {@link Request} completed by the progress thread. */
final class FutureRequest implements Request {
    private final CompletableFuture<Void> future = new CompletableFuture<>();
    /** Set once a thread waits for this request: from then on the collective is urgent (its transport may spin). */
    private volatile boolean awaited;

    boolean awaited() {
        return awaited;
    }

    void complete() {
        future.complete(null);
    }

    void fail(Throwable e) {
        future.completeExceptionally(e);
    }

    @Override
    public void await() {
        awaited = true;
        boolean interrupted = false;
        while (true) {
            try {
                future.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            } catch (ExecutionException e) {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
                throw unwrap(e.getCause());
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean await(Duration timeout) {
        awaited = true;
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
            throw unwrap(e.getCause());
        }
    }

    private static RuntimeException unwrap(Throwable cause) {
        if (cause instanceof RuntimeException) {
            return (RuntimeException) cause;
        }
        if (cause instanceof Error) {
            throw (Error) cause;
        }
        return new CollectiveException("collective failed: " + cause, cause);
    }

    @Override
    public boolean isDone() {
        return future.isDone();
    }

    @Override
    public CompletableFuture<Void> toCompletableFuture() {
        return future.copy();
    }
}

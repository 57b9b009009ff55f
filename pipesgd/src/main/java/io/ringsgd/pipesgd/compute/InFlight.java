package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.Request;

/**
 * An AllReduce of a {@link ModelVector} started by {@link ComputeBackend#iallreduce}. The vector belongs to it until
 * {@link #await()} returns, which is when the result is in the vector (a device path that reduced on the host copies
 * the result back to the device inside {@code await()}). Used by the training thread only.
 */
public final class InFlight {
    private final Request request;
    private Runnable then;

    InFlight(Request request, Runnable then) {
        this.request = request;
        this.then = then;
    }

    /** Waits for the AllReduce and puts its result in place; rethrows the collective's failure. */
    public void await() {
        request.await();
        Runnable t = then;
        if (t != null) {
            then = null;
            t.run();
        }
    }

    /** True once the collective has completed (successfully or not); {@link #await()} is still needed. */
    public boolean isDone() {
        return request.isDone();
    }

    /** The communicator's request behind this transfer. */
    public Request request() {
        return request;
    }
}

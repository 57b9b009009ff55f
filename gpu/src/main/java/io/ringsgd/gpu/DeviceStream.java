package io.ringsgd.gpu;

/**
 * An ordered queue of device work (a CUDA stream). Operations enqueued on one stream run in order; operations on
 * different streams may overlap, and are ordered only through {@link DeviceEvent}s ({@link #waitFor}). Enqueueing
 * returns at once; {@link #synchronize()} waits for everything enqueued so far.
 */
public interface DeviceStream extends AutoCloseable {

    /** The device whose work this stream orders. */
    Device device();

    /** Blocks until every operation enqueued on this stream so far has finished; rethrows an asynchronous failure. */
    void synchronize();

    /**
     * Makes work enqueued on this stream after this call wait until {@code event}'s most recent {@link
     * DeviceEvent#record record} (as of this call) has completed, without blocking the host
     * ({@code cudaStreamWaitEvent}). An event that was never recorded does not delay anything.
     */
    void waitFor(DeviceEvent event);

    /** Releases the stream after the work enqueued on it has finished. The device's default stream ignores this. */
    @Override
    void close();
}

package io.ringsgd.gpu;

/**
 * A marker in a {@link DeviceStream} (a CUDA event): lets the host, or another stream, wait until the work enqueued
 * before the marker has finished. Re-recording moves the marker; waits always refer to the most recent record.
 */
public interface DeviceEvent extends AutoCloseable {

    /** Places the marker after the work enqueued so far on {@code stream} ({@code cudaEventRecord}). */
    void record(DeviceStream stream);

    /** True when the work before the most recent record has finished, or the event was never recorded. */
    boolean isComplete();

    /** Blocks until {@link #isComplete()}. */
    void synchronize();

    @Override
    void close();
}

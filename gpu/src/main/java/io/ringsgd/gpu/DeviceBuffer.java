package io.ringsgd.gpu;

/**
 * A run of {@code count()} floats in a {@link Device}'s memory, created by {@link Device#allocate(int)}. It is only a
 * handle: every operation on it goes through its device, and it can only be used with that device. Freeing is
 * idempotent; any use after {@link #free()} throws {@link IllegalStateException}.
 */
public interface DeviceBuffer extends AutoCloseable {

    /** The device that owns this buffer. */
    Device device();

    /** Number of floats. */
    int count();

    /** Size in bytes ({@code 4 × count()}). */
    default long byteSize() {
        return 4L * count();
    }

    /** True once {@link #free()} has been called. */
    boolean isFreed();

    /**
     * Releases the memory. Idempotent. Work already queued on a stream that reads or writes this buffer must have
     * finished (CUDA's cudaFree waits for the device; the host device simply drops its array).
     */
    void free();

    /** Same as {@link #free()}, for try-with-resources. */
    @Override
    default void close() {
        free();
    }
}

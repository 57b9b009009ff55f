package io.ringsgd.gpu;

import java.nio.ByteBuffer;

/**
 * Host memory the device can copy to and from asynchronously: page-locked memory ({@code cudaHostAlloc}) on a CUDA
 * device, an ordinary direct buffer on the host device. It is exposed as a direct, little-endian {@link ByteBuffer}, so
 * transports can send and receive it without a copy ({@code ElementBuffer.ofBytes(pinned.buffer(), FLOAT, off, n)}).
 *
 * <p>The {@link ByteBuffer} points at native memory that {@link #free()} releases: it must not be touched afterwards
 * (on CUDA that would read freed memory). Freeing is idempotent.
 */
public interface PinnedBuffer extends AutoCloseable {

    /** The memory as a direct little-endian buffer, position 0, limit = capacity = {@link #byteSize()}. */
    ByteBuffer buffer();

    /** Size in bytes. */
    int byteSize();

    /** True for page-locked memory the DMA engines can read directly (CUDA); false for the host device's buffers. */
    boolean isPageLocked();

    /** True once {@link #free()} has been called. */
    boolean isFreed();

    /** Releases the memory (after waiting for the device, on CUDA). Idempotent. */
    void free();

    @Override
    default void close() {
        free();
    }
}

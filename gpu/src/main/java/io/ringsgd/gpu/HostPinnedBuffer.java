package io.ringsgd.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The {@link HostDevice}'s staging memory: an ordinary direct buffer (there is nothing to pin for). */
final class HostPinnedBuffer implements PinnedBuffer {
    private final int bytes;
    private volatile ByteBuffer buffer;

    HostPinnedBuffer(int bytes) {
        this.bytes = bytes;
        this.buffer = ByteBuffer.allocateDirect(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new IllegalStateException("this staging buffer of " + bytes + " bytes was freed");
        }
        return b;
    }

    @Override
    public int byteSize() {
        return bytes;
    }

    @Override
    public boolean isPageLocked() {
        return false;
    }

    @Override
    public boolean isFreed() {
        return buffer == null;
    }

    @Override
    public void free() {
        buffer = null;
    }
}

package io.ringsgd.gpu;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jcuda.Pointer;
import jcuda.runtime.JCuda;

/** Page-locked host memory from {@code cudaHostAlloc}, portable across contexts, seen as a direct ByteBuffer. */
final class CudaPinnedBuffer implements PinnedBuffer {
    private final CudaDevice device;
    private final int bytes;
    private final Pointer host;
    private volatile ByteBuffer buffer;

    CudaPinnedBuffer(CudaDevice device, int bytes) {
        this.device = device;
        this.bytes = bytes;
        if (bytes == 0) {
            host = null;
            buffer = ByteBuffer.allocateDirect(0).order(ByteOrder.LITTLE_ENDIAN);
            return;
        }
        device.bind();
        Pointer p = new Pointer();
        Cuda.check(JCuda.cudaHostAlloc(p, bytes, JCuda.cudaHostAllocPortable), "cudaHostAlloc of " + bytes
                + " bytes (page-locked host memory is limited by the OS and the driver: use smaller segments)");
        host = p;
        buffer = p.getByteBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    @Override
    public ByteBuffer buffer() {
        ByteBuffer b = buffer;
        if (b == null) {
            throw new IllegalStateException("this pinned buffer of " + bytes + " bytes was freed");
        }
        return b;
    }

    @Override
    public int byteSize() {
        return bytes;
    }

    @Override
    public boolean isPageLocked() {
        return bytes > 0;
    }

    @Override
    public boolean isFreed() {
        return buffer == null;
    }

    @Override
    public void free() {
        synchronized (this) {
            if (buffer == null) {
                return;
            }
            buffer = null;
        }
        if (host != null) {
            device.bind();
            Cuda.check(JCuda.cudaFreeHost(host), "cudaFreeHost of " + bytes + " bytes");
        }
    }
}

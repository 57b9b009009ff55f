package io.ringsgd.gpu;

import jcuda.Pointer;
import jcuda.runtime.JCuda;

/** A {@link DeviceBuffer} in GPU memory ({@code cudaMalloc}); an empty buffer holds no allocation. */
final class CudaBuffer implements DeviceBuffer {
    private final CudaDevice device;
    private final int count;
    private final Pointer base;
    private volatile boolean freed;

    CudaBuffer(CudaDevice device, int count, Pointer base) {
        this.device = device;
        this.count = count;
        this.base = base;
    }

    @Override
    public Device device() {
        return device;
    }

    CudaDevice owner() {
        return device;
    }

    @Override
    public int count() {
        return count;
    }

    /** Device address of element {@code i} (JCuda adds the byte offset to the native pointer). */
    Pointer at(int i) {
        return i == 0 ? base : base.withByteOffset(4L * i);
    }

    @Override
    public boolean isFreed() {
        return freed;
    }

    @Override
    public void free() {
        synchronized (this) {
            if (freed) {
                return;
            }
            freed = true;
        }
        if (count > 0) {
            device.bind();
            Cuda.check(JCuda.cudaFree(base), "cudaFree of a buffer of " + count + " floats");
        }
    }

    @Override
    public String toString() {
        return "CUDA buffer of " + count + " floats" + (freed ? " (freed)" : "");
    }
}

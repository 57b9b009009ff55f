package io.ringsgd.gpu;

import jcuda.driver.CUstream;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaStream_t;

/**
 * A CUDA stream, with its driver-API view for kernel launches. Streams are created blocking (default flags), so the
 * legacy default stream, which the synchronous float[] copies use, is ordered with them.
 */
final class CudaStream implements DeviceStream {
    private final CudaDevice device;
    private final cudaStream_t stream;
    private final CUstream driverStream;
    private final boolean isDefault;
    private volatile boolean closed;

    CudaStream(CudaDevice device, cudaStream_t stream, boolean isDefault) {
        this.device = device;
        this.stream = stream;
        this.driverStream = new CUstream(stream);
        this.isDefault = isDefault;
    }

    @Override
    public Device device() {
        return device;
    }

    CudaDevice owner() {
        return device;
    }

    cudaStream_t runtime() {
        return stream;
    }

    CUstream driver() {
        return driverStream;
    }

    boolean isClosed() {
        return closed;
    }

    @Override
    public void synchronize() {
        device.bind();
        Cuda.check(JCuda.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
    }

    @Override
    public void waitFor(DeviceEvent event) {
        CudaEvent e = device.event(event);
        device.bind();
        Cuda.check(JCuda.cudaStreamWaitEvent(stream, e.handle(), 0), "cudaStreamWaitEvent");
    }

    @Override
    public void close() {
        if (isDefault) {
            return;
        }
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        device.bind();
        Cuda.check(JCuda.cudaStreamSynchronize(stream), "cudaStreamSynchronize");
        Cuda.check(JCuda.cudaStreamDestroy(stream), "cudaStreamDestroy");
    }
}

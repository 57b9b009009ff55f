package io.ringsgd.gpu;

import jcuda.runtime.JCuda;
import jcuda.runtime.cudaError;
import jcuda.runtime.cudaEvent_t;

/** A CUDA event without timing (cheaper to record and wait on). */
final class CudaEvent implements DeviceEvent {
    private final CudaDevice device;
    private final cudaEvent_t event;
    private volatile boolean closed;

    CudaEvent(CudaDevice device, cudaEvent_t event) {
        this.device = device;
        this.event = event;
    }

    CudaDevice owner() {
        return device;
    }

    cudaEvent_t handle() {
        if (closed) {
            throw new IllegalStateException("this event was closed");
        }
        return event;
    }

    @Override
    public void record(DeviceStream stream) {
        CudaStream s = device.stream(stream);
        device.bind();
        Cuda.check(JCuda.cudaEventRecord(handle(), s.runtime()), "cudaEventRecord");
    }

    @Override
    public boolean isComplete() {
        device.bind();
        int rc = JCuda.cudaEventQuery(handle());
        if (rc == cudaError.cudaErrorNotReady) {
            return false;
        }
        Cuda.check(rc, "cudaEventQuery");
        return true;
    }

    @Override
    public void synchronize() {
        device.bind();
        Cuda.check(JCuda.cudaEventSynchronize(handle()), "cudaEventSynchronize");
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        device.bind();
        Cuda.check(JCuda.cudaEventDestroy(event), "cudaEventDestroy");
    }
}

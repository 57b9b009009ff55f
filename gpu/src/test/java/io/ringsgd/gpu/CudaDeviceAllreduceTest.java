package io.ringsgd.gpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device AllReduce on CUDA device 0, shared by all ranks of the in-JVM group (each rank has its own streams and
 * staging): runs where a CUDA device works, skipped with the reason elsewhere.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RequiresCuda.class)
class CudaDeviceAllreduceTest extends DeviceAllreduceContract {
    private CudaDevice device;

    @BeforeAll
    void open() {
        device = Devices.cuda(0);
    }

    @AfterAll
    void close() {
        if (device != null) {
            device.close();
        }
    }

    @Override
    protected Device deviceFor(int rank) {
        return device;
    }

    @Override
    protected void release(Device d) {
        // Shared by the ranks; closed after all tests.
    }
}

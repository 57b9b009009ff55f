package io.ringsgd.gpu;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The device contract on CUDA device 0: runs by itself where a CUDA device works, and is skipped, with the reason,
 * where none does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@ExtendWith(RequiresCuda.class)
class CudaDeviceTest extends DeviceContract {
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
    protected Device device() {
        return device;
    }
}

package io.ringsgd.gpu;

import org.junit.jupiter.api.AfterEach;

/** The device contract on the host device whose streams run on worker threads, as GPU streams do. */
class AsyncHostDeviceTest extends DeviceContract {
    private final HostDevice device = HostDevice.asynchronous();

    @Override
    protected Device device() {
        return device;
    }

    @AfterEach
    void close() {
        device.close();
    }
}

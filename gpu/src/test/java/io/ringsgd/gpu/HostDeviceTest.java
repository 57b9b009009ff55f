package io.ringsgd.gpu;

import org.junit.jupiter.api.AfterEach;

/** The device contract on the synchronous host device. */
class HostDeviceTest extends DeviceContract {
    private final HostDevice device = HostDevice.create();

    @Override
    protected Device device() {
        return device;
    }

    @AfterEach
    void close() {
        device.close();
    }
}

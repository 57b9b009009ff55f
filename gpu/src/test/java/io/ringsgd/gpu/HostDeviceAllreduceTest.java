package io.ringsgd.gpu;

/** The device AllReduce on synchronous host devices, one per rank: the ring logic and arithmetic. */
class HostDeviceAllreduceTest extends DeviceAllreduceContract {
    @Override
    protected Device deviceFor(int rank) {
        return HostDevice.create();
    }

    @Override
    protected void release(Device device) {
        device.close();
    }
}

package io.ringsgd.gpu;

/**
 * The device AllReduce on host devices whose streams run on worker threads: copies and reductions really are
 * asynchronous, so a missing event wait shows up as wrong data or a failed check here.
 */
class AsyncHostDeviceAllreduceTest extends DeviceAllreduceContract {
    @Override
    protected Device deviceFor(int rank) {
        return HostDevice.asynchronous();
    }

    @Override
    protected void release(Device device) {
        device.close();
    }
}

package io.ringsgd.gpu;

/** A {@link DeviceBuffer} of the {@link HostDevice}: a Java array, dropped on free. */
final class HostBuffer implements DeviceBuffer {
    private final HostDevice device;
    private final int count;
    private volatile float[] data;

    HostBuffer(HostDevice device, int count) {
        this.device = device;
        this.count = count;
        this.data = new float[count];
    }

    @Override
    public Device device() {
        return device;
    }

    HostDevice owner() {
        return device;
    }

    @Override
    public int count() {
        return count;
    }

    /** The array, or null once freed. */
    float[] data() {
        return data;
    }

    @Override
    public boolean isFreed() {
        return data == null;
    }

    @Override
    public void free() {
        data = null;
    }

    @Override
    public String toString() {
        return "host buffer of " + count + " floats" + (isFreed() ? " (freed)" : "");
    }
}

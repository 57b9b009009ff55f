package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.gpu.DeviceBuffer;

/**
 * A vector as long as the model's parameter vector (the parameters, a gradient, a momentum buffer, a snapshot, an
 * average), kept where its {@link ComputeBackend} computes: a {@code float[]} on the CPU, a {@link DeviceBuffer} on a
 * device. Trainers hold these handles and pass them back to the backend, so one training loop serves both.
 */
public final class ModelVector {
    private final ComputeBackend owner;
    private final float[] array;
    private final ElementBuffer view;
    private final DeviceBuffer buffer;
    /** Device vectors only: the host copy a compressed AllReduce runs on, made on first use. */
    private float[] mirror;
    private ElementBuffer mirrorView;

    private ModelVector(ComputeBackend owner, float[] array, DeviceBuffer buffer) {
        this.owner = owner;
        this.array = array;
        this.view = array == null ? null : ElementBuffer.of(array);
        this.buffer = buffer;
    }

    static ModelVector host(ComputeBackend owner, float[] array) {
        return new ModelVector(owner, array, null);
    }

    static ModelVector device(ComputeBackend owner, DeviceBuffer buffer) {
        return new ModelVector(owner, null, buffer);
    }

    /** Number of floats. */
    public int length() {
        return array != null ? array.length : buffer.count();
    }

    /** True when the floats are in device memory. */
    public boolean onDevice() {
        return buffer != null;
    }

    /**
     * The live array of a CPU vector (for code that works on host floats, such as error feedback).
     *
     * @throws IllegalStateException for a vector in device memory
     */
    public float[] array() {
        if (array == null) {
            throw new IllegalStateException("this vector lives in device memory: copy it with "
                    + "ComputeBackend.download(vector, float[])");
        }
        return array;
    }

    /**
     * The device buffer of a device vector.
     *
     * @throws IllegalStateException for a CPU vector
     */
    public DeviceBuffer buffer() {
        if (buffer == null) {
            throw new IllegalStateException("this vector is a host array, not device memory: use array()");
        }
        return buffer;
    }

    ElementBuffer view() {
        return view;
    }

    ComputeBackend owner() {
        return owner;
    }

    /** {@code v} itself if it belongs to {@code backend}; otherwise a clear error naming {@code what}. */
    static ModelVector ownedBy(ComputeBackend backend, ModelVector v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + " is null");
        }
        if (v.owner != backend) {
            throw new IllegalArgumentException(what + " (" + v + ") belongs to another backend: use vectors from "
                    + "this backend's newVector()");
        }
        return v;
    }

    float[] mirror() {
        if (mirror == null) {
            mirror = new float[buffer.count()];
            mirrorView = ElementBuffer.of(mirror);
        }
        return mirror;
    }

    ElementBuffer mirrorView() {
        mirror();
        return mirrorView;
    }

    @Override
    public String toString() {
        return (onDevice() ? "device" : "host") + " vector of " + length() + " floats";
    }
}

package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceEvent;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.gpu.PinnedBuffer;
import io.ringsgd.pipesgd.data.Batch;
import java.nio.FloatBuffer;

/**
 * What every device pass ({@link DeviceFeedForward}, {@link DeviceConvNet}) needs around its layers: the mini-batch's
 * features and labels on the device (uploaded through pinned staging on the compute stream), the per-sample losses
 * and their sum, and a pinned read-back buffer for the mean loss and the evaluation logits. Grown only when a larger
 * batch arrives. Not thread-safe: one per device pass.
 */
final class DeviceBatchBuffers implements AutoCloseable {
    private final Device device;
    private final DeviceStream stream;
    private final int inputs;
    private final int classes;
    private final DeviceEvent uploaded;

    private int capacity;
    private DeviceBuffer x;
    private DeviceBuffer labels;
    private DeviceBuffer loss;
    private DeviceBuffer lossSum;
    private PinnedBuffer staging;
    private FloatBuffer stagingFloats;
    private PinnedBuffer readback;
    private FloatBuffer readbackFloats;
    private float[] logits;

    DeviceBatchBuffers(Device device, DeviceStream stream, int inputs, int classes) {
        this.device = device;
        this.stream = stream;
        this.inputs = inputs;
        this.classes = classes;
        this.uploaded = device.createEvent();
    }

    /** Rows the buffers hold. */
    int capacity() {
        return capacity;
    }

    /** The uploaded features ({@code rows × inputs}). */
    DeviceBuffer x() {
        return x;
    }

    /** The uploaded labels, as floats. */
    DeviceBuffer labels() {
        return labels;
    }

    /** Per-sample losses, as {@link Device#softmaxCrossEntropy} writes them. */
    DeviceBuffer loss() {
        return loss;
    }

    /** Grows the buffers to {@code n} rows, after the queued work that uses the old ones; nothing if they hold n. */
    void ensure(int n) {
        if (n <= capacity) {
            return;
        }
        stream.synchronize();
        free();
        x = device.allocate(Math.multiplyExact(n, inputs));
        labels = device.allocate(n);
        loss = device.allocate(n);
        lossSum = device.allocate(1);
        staging = device.allocatePinned(Math.multiplyExact(4, Math.addExact(Math.multiplyExact(n, inputs), n)));
        stagingFloats = staging.buffer().asFloatBuffer();
        readback = device.allocatePinned(Math.multiplyExact(4, Math.multiplyExact(n, classes)));
        readbackFloats = readback.buffer().asFloatBuffer();
        logits = new float[n * classes];
        capacity = n;
    }

    /**
     * Copies samples {@code from .. from+n−1} of {@code batch} (features, and labels as floats) into pinned staging
     * and queues their upload into {@link #x()} and {@link #labels()}. The staging is rewritten only after the
     * previous upload has read it.
     */
    void upload(Batch batch, int from, int n) {
        uploaded.synchronize();
        stagingFloats.put(0, batch.features(), from * inputs, n * inputs);
        int labelBase = capacity * inputs;
        int[] y = batch.labels();
        for (int i = 0; i < n; i++) {
            stagingFloats.put(labelBase + i, y[from + i]);
        }
        device.copyFromHost(staging.buffer(), 0, x, 0, n * inputs, stream);
        device.copyFromHost(staging.buffer(), 4 * labelBase, labels, 0, n, stream);
        uploaded.record(stream);
    }

    /** Queues the sum of the first {@code n} per-sample losses and its copy to the read-back buffer. */
    void queueLossSum(int n) {
        device.columnSums(loss, 0, n, 1, lossSum, 0, stream);
        device.copyToHost(lossSum, 0, readback.buffer(), 0, 1, stream);
    }

    /** Waits for the stream and returns the mean of the {@code n} losses {@link #queueLossSum} summed. */
    double meanLoss(int n) {
        stream.synchronize();
        return readbackFloats.get(0) / (double) n;
    }

    /**
     * Copies {@code n} rows of device logits to the host, waits for the stream, and tallies them against the labels
     * {@code y[yOffset..]} exactly as the CPU models do.
     */
    void tally(DeviceBuffer deviceLogits, int n, int[] y, int yOffset, Evaluation.Tally tally) {
        device.copyToHost(deviceLogits, 0, readback.buffer(), 0, n * classes, stream);
        stream.synchronize();
        readbackFloats.get(0, logits, 0, n * classes);
        FeedForwardModel.tally(logits, n, classes, y, yOffset, tally);
    }

    /** Frees every buffer (the caller has synchronized the stream); the rows drop to 0. */
    void free() {
        for (DeviceBuffer b : new DeviceBuffer[] {x, labels, loss, lossSum}) {
            if (b != null) {
                b.free();
            }
        }
        if (staging != null) {
            staging.free();
        }
        if (readback != null) {
            readback.free();
        }
        x = null;
        labels = null;
        loss = null;
        lossSum = null;
        staging = null;
        readback = null;
        capacity = 0;
    }

    /** Frees the buffers and the upload event (after the queued work). */
    @Override
    public void close() {
        stream.synchronize();
        free();
        uploaded.close();
    }

    /**
     * Checks the arguments of a device pass's gradient call and returns the batch's size; for an empty batch it also
     * queues the zero gradient.
     */
    int beginGradient(Model model, DeviceBuffer params, Batch batch, DeviceBuffer grad) {
        checkVector(model, params, "parameter");
        checkVector(model, grad, "gradient");
        FeedForwardModel.checkBatch(model, batch);
        int n = batch.size();
        if (n == 0) {
            device.zero(grad, 0, grad.count(), stream);
        }
        return n;
    }

    /** Checks that {@code v} is a vector of {@code model}'s parameter count. */
    static void checkVector(Model model, DeviceBuffer v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + " buffer is null");
        }
        if (v.count() != model.parameterCount()) {
            throw new IllegalArgumentException(what + " buffer has " + v.count() + " floats but " + model.describe()
                    + " has " + model.parameterCount() + " parameters");
        }
    }
}

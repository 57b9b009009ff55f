package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceEvent;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.gpu.PinnedBuffer;
import io.ringsgd.pipesgd.data.Batch;
import java.nio.FloatBuffer;

/**
 * The forward and backward pass of a built-in model ({@link Mlp}, {@link SoftmaxRegression}) on a {@link Device}:
 * the same layers, parameter layout and loss as the CPU model, with the matrix products through
 * {@link Device#gemm} (cuBLAS sgemm on a GPU) and bias, ReLU, softmax cross-entropy and bias gradients through the
 * device's kernels. Parameters and gradients are device buffers; a mini-batch is copied into pinned staging and
 * uploaded on the compute stream. Everything is queued on one stream; the loss and the evaluation logits are read
 * back through pinned memory, which waits for that stream only.
 *
 * <p>The products sum in a different order than the CPU's BLAS and the softmax runs in single instead of double
 * precision, so results agree with the CPU model to rounding, not bit for bit; on one device they are deterministic.
 * One instance per rank and stream; not thread-safe.
 */
public final class DeviceFeedForward implements AutoCloseable {
    private final FeedForwardModel model;
    private final Device device;
    private final DeviceStream stream;
    private final int layers;
    private final int[] sizes;
    private final int widest;
    private final DeviceEvent uploaded;

    private int capacity;
    private DeviceBuffer x;
    private DeviceBuffer labels;
    /** acts[l] holds the output of layer l−1 (after ReLU for hidden layers); acts[layers] holds the logits. */
    private DeviceBuffer[] acts;
    private DeviceBuffer deltaA;
    private DeviceBuffer deltaB;
    private DeviceBuffer loss;
    private DeviceBuffer lossSum;
    private PinnedBuffer staging;
    private FloatBuffer stagingFloats;
    private PinnedBuffer readback;
    private FloatBuffer readbackFloats;
    private float[] logits;
    private boolean closed;

    /** True if {@code model} is a built-in feed-forward model this class can run. */
    public static boolean supports(Model model) {
        return model instanceof FeedForwardModel;
    }

    /**
     * The device pass of {@code model} on {@code device}, queued on {@code stream} (owned by the caller).
     *
     * @throws IllegalArgumentException if the model is not a built-in one
     */
    public DeviceFeedForward(Model model, Device device, DeviceStream stream) {
        if (!supports(model)) {
            throw new IllegalArgumentException("model " + (model == null ? "null" : model.describe())
                    + " has no device implementation: the device path runs the built-in mlp and softmax models");
        }
        if (device == null || stream == null || stream.device() != device) {
            throw new IllegalArgumentException("pass a device and a stream of that device");
        }
        this.model = (FeedForwardModel) model;
        this.device = device;
        this.stream = stream;
        this.layers = this.model.layers();
        this.sizes = new int[layers + 1];
        int w = 0;
        for (int i = 0; i <= layers; i++) {
            sizes[i] = this.model.size(i);
            if (i > 0) {
                w = Math.max(w, sizes[i]);
            }
        }
        this.widest = w;
        this.uploaded = device.createEvent();
    }

    /** The model this runs. */
    public Model model() {
        return model;
    }

    /**
     * Overwrites {@code grad} with the gradient of the mean loss of {@code batch} at {@code params} (both device
     * buffers of {@link Model#parameterCount()} floats) and returns the mean loss; waits for the stream.
     */
    public double lossAndGradient(DeviceBuffer params, Batch batch, DeviceBuffer grad) {
        checkVector(params, "parameter");
        checkVector(grad, "gradient");
        model.checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            device.zero(grad, 0, grad.count(), stream);
            return 0.0;
        }
        ensureCapacity(n);
        upload(batch, n);
        forward(params, n);
        int classes = sizes[layers];
        DeviceBuffer delta = deltaA;
        DeviceBuffer other = deltaB;
        device.softmaxCrossEntropy(acts[layers], 0, n, classes, labels, 0, 1f / n, delta, 0, loss, 0, stream);
        device.columnSums(loss, 0, n, 1, lossSum, 0, stream);
        device.copyToHost(lossSum, 0, readback.buffer(), 0, 1, stream);
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DeviceBuffer input = l == 0 ? x : acts[l];
            // dW = inputᵀ · delta (in × out); db = column sums of delta
            device.gemm(true, false, in, out, n, 1f, input, 0, in, delta, 0, out, 0f, grad, model.weightOffset(l),
                    out, stream);
            device.columnSums(delta, 0, n, out, grad, model.biasOffset(l), stream);
            if (l > 0) {
                // d(input) = delta · Wᵀ (n × in), then through the ReLU that produced input
                device.gemm(false, true, n, in, out, 1f, delta, 0, out, params, model.weightOffset(l), out, 0f,
                        other, 0, in, stream);
                device.reluBackward(input, 0, other, 0, n * in, stream);
                DeviceBuffer t = delta;
                delta = other;
                other = t;
            }
        }
        stream.synchronize();
        return readbackFloats.get(0) / (double) n;
    }

    /**
     * Adds the summed loss and correct predictions of {@code batch} at {@code params} to {@code tally}: the logits
     * are computed on the device and tallied on the host exactly as the CPU model tallies its own.
     */
    public void evaluateBatch(DeviceBuffer params, Batch batch, Evaluation.Tally tally) {
        checkVector(params, "parameter");
        model.checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            return;
        }
        ensureCapacity(n);
        upload(batch, n);
        forward(params, n);
        int classes = sizes[layers];
        device.copyToHost(acts[layers], 0, readback.buffer(), 0, n * classes, stream);
        stream.synchronize();
        readbackFloats.get(0, logits, 0, n * classes);
        FeedForwardModel.tally(logits, n, classes, batch.labels(), tally);
    }

    /** Every layer's output for the first {@code n} rows of x; the logits end in acts[layers]. */
    private void forward(DeviceBuffer params, int n) {
        DeviceBuffer input = x;
        for (int l = 0; l < layers; l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DeviceBuffer z = acts[l + 1];
            device.gemm(false, false, n, out, in, 1f, input, 0, in, params, model.weightOffset(l), out, 0f, z, 0,
                    out, stream);
            device.addBias(z, 0, n, out, params, model.biasOffset(l), stream);
            if (l < layers - 1) {
                device.relu(z, 0, z, 0, n * out, stream);
            }
            input = z;
        }
    }

    /**
     * Copies the batch's features and labels (as floats) into pinned staging and queues their upload. The staging is
     * rewritten only after the previous upload has read it.
     */
    private void upload(Batch batch, int n) {
        int in = sizes[0];
        uploaded.synchronize();
        stagingFloats.put(0, batch.features(), 0, n * in);
        int labelBase = capacity * in;
        int[] y = batch.labels();
        for (int i = 0; i < n; i++) {
            stagingFloats.put(labelBase + i, y[i]);
        }
        device.copyFromHost(staging.buffer(), 0, x, 0, n * in, stream);
        device.copyFromHost(staging.buffer(), 4 * labelBase, labels, 0, n, stream);
        uploaded.record(stream);
    }

    /** Grows the work buffers to {@code n} rows (after the queued work that uses the old ones). */
    private void ensureCapacity(int n) {
        if (closed) {
            throw new IllegalStateException("this device model was closed");
        }
        if (n <= capacity) {
            return;
        }
        stream.synchronize();
        freeBuffers();
        int in = sizes[0];
        int classes = sizes[layers];
        x = device.allocate(Math.multiplyExact(n, in));
        labels = device.allocate(n);
        acts = new DeviceBuffer[layers + 1];
        for (int l = 1; l <= layers; l++) {
            acts[l] = device.allocate(Math.multiplyExact(n, sizes[l]));
        }
        deltaA = device.allocate(Math.multiplyExact(n, widest));
        deltaB = device.allocate(Math.multiplyExact(n, widest));
        loss = device.allocate(n);
        lossSum = device.allocate(1);
        staging = device.allocatePinned(Math.multiplyExact(4, Math.addExact(Math.multiplyExact(n, in), n)));
        stagingFloats = staging.buffer().asFloatBuffer();
        readback = device.allocatePinned(Math.multiplyExact(4, Math.multiplyExact(n, classes)));
        readbackFloats = readback.buffer().asFloatBuffer();
        logits = new float[n * classes];
        capacity = n;
    }

    private void checkVector(DeviceBuffer v, String what) {
        if (v == null) {
            throw new IllegalArgumentException(what + " buffer is null");
        }
        if (v.count() != model.parameterCount()) {
            throw new IllegalArgumentException(what + " buffer has " + v.count() + " floats but " + model.describe()
                    + " has " + model.parameterCount() + " parameters");
        }
    }

    private void freeBuffers() {
        DeviceBuffer[] all = {x, labels, deltaA, deltaB, loss, lossSum};
        for (DeviceBuffer b : all) {
            if (b != null) {
                b.free();
            }
        }
        if (acts != null) {
            for (DeviceBuffer b : acts) {
                if (b != null) {
                    b.free();
                }
            }
        }
        if (staging != null) {
            staging.free();
        }
        if (readback != null) {
            readback.free();
        }
        capacity = 0;
    }

    /** Frees the work buffers and staging after the queued work; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        stream.synchronize();
        freeBuffers();
        uploaded.close();
    }
}

package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.pipesgd.data.Batch;

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
public final class DeviceFeedForward implements DevicePass {
    private final FeedForwardModel model;
    private final Device device;
    private final DeviceStream stream;
    private final int layers;
    private final int[] sizes;
    private final int widest;
    private final DeviceBatchBuffers io;

    private int capacity;
    /** acts[l] holds the output of layer l−1 (after ReLU for hidden layers); acts[layers] holds the logits. */
    private DeviceBuffer[] acts;
    private DeviceBuffer deltaA;
    private DeviceBuffer deltaB;
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
                    + " has no device implementation: the device path runs the built-in models (mlp, softmax, cnn)");
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
        this.io = new DeviceBatchBuffers(device, stream, sizes[0], sizes[layers]);
    }

    @Override
    public Model model() {
        return model;
    }

    @Override
    public double lossAndGradient(DeviceBuffer params, Batch batch, DeviceBuffer grad) {
        int n = io.beginGradient(model, params, batch, grad);
        if (n == 0) {
            return 0.0;
        }
        ensureCapacity(n);
        io.upload(batch, 0, n);
        forward(params, n);
        int classes = sizes[layers];
        DeviceBuffer delta = deltaA;
        DeviceBuffer other = deltaB;
        device.softmaxCrossEntropy(acts[layers], 0, n, classes, io.labels(), 0, 1f / n, delta, 0, io.loss(), 0,
                stream);
        io.queueLossSum(n);
        for (int l = layers - 1; l >= 0; l--) {
            int in = sizes[l];
            int out = sizes[l + 1];
            DeviceBuffer input = l == 0 ? io.x() : acts[l];
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
        return io.meanLoss(n);
    }

    @Override
    public void evaluateBatch(DeviceBuffer params, Batch batch, Evaluation.Tally tally) {
        DeviceBatchBuffers.checkVector(model, params, "parameter");
        model.checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            return;
        }
        ensureCapacity(n);
        io.upload(batch, 0, n);
        forward(params, n);
        io.tally(acts[layers], n, batch.labels(), 0, tally);
    }

    /** Every layer's output for the first {@code n} rows of x; the logits end in acts[layers]. */
    private void forward(DeviceBuffer params, int n) {
        DeviceBuffer input = io.x();
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

    /** Grows the work buffers to {@code n} rows (after the queued work that uses the old ones). */
    private void ensureCapacity(int n) {
        if (closed) {
            throw new IllegalStateException("this device model was closed");
        }
        if (n <= capacity) {
            return;
        }
        io.ensure(n);
        freeBuffers();
        acts = new DeviceBuffer[layers + 1];
        for (int l = 1; l <= layers; l++) {
            acts[l] = device.allocate(Math.multiplyExact(n, sizes[l]));
        }
        deltaA = device.allocate(Math.multiplyExact(n, widest));
        deltaB = device.allocate(Math.multiplyExact(n, widest));
        capacity = n;
    }

    private void freeBuffers() {
        for (DeviceBuffer b : new DeviceBuffer[] {deltaA, deltaB}) {
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
        capacity = 0;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        io.close();
        freeBuffers();
    }
}

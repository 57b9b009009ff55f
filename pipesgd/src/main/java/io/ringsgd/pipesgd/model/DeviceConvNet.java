package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.pipesgd.data.Batch;

/**
 * The forward and backward pass of a {@link ConvNet} on a {@link Device}: the same layers, parameter layout and loss
 * as the CPU model, with convolutions as {@link Device#im2col} plus {@link Device#gemm} (cuBLAS sgemm on a GPU) and
 * their input gradients as a product plus {@link Device#col2im}, max pooling through {@link Device#maxPool} and
 * {@link Device#maxPoolBackward}, and bias, ReLU, softmax cross-entropy and bias gradients through the device's
 * kernels. im2col, col2im and pooling round exactly as the CPU model's (the host device runs the same loops, the CUDA
 * kernels the same expressions); the products and the single-precision softmax differ from the CPU's BLAS and double
 * softmax by rounding, as in {@link DeviceFeedForward}. Evaluation runs in chunks as the CPU model's does. One
 * instance per rank and stream; not thread-safe.
 */
public final class DeviceConvNet implements DevicePass {
    private final ConvNet model;
    private final Device device;
    private final DeviceStream stream;
    private final ConvNet.Geometry[] geo;
    private final int widest;
    private final DeviceBatchBuffers io;

    private int capacity;
    private DeviceBuffer[] acts;
    private DeviceBuffer[] cols;
    private DeviceBuffer[] argmax;
    private DeviceBuffer dcol;
    private DeviceBuffer gradA;
    private DeviceBuffer gradB;
    private boolean closed;

    /**
     * The device pass of {@code model} on {@code device}, queued on {@code stream} (owned by the caller).
     *
     * @param model  the network
     * @param device the device
     * @param stream a stream of {@code device}
     * @throws IllegalArgumentException if an argument is null or the stream is another device's
     */
    public DeviceConvNet(ConvNet model, Device device, DeviceStream stream) {
        if (model == null) {
            throw new IllegalArgumentException("model is null");
        }
        if (device == null || stream == null || stream.device() != device) {
            throw new IllegalArgumentException("pass a device and a stream of that device");
        }
        this.model = model;
        this.device = device;
        this.stream = stream;
        this.geo = model.geometry();
        this.widest = model.widest();
        this.io = new DeviceBatchBuffers(device, stream, model.inputSize(), model.classCount());
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
        int last = geo.length - 1;
        DeviceBuffer delta = gradA;
        DeviceBuffer other = gradB;
        device.softmaxCrossEntropy(acts[last], 0, n, model.classCount(), io.labels(), 0, 1f / n, delta, 0,
                io.loss(), 0, stream);
        io.queueLossSum(n);
        for (int l = last; l >= 0; l--) {
            ConvNet.Geometry g = geo[l];
            if (g.relu) {
                device.reluBackward(acts[l], 0, delta, 0, n * g.outSize(), stream);
            }
            switch (g.kind) {
                case CONV: {
                    int rows = n * g.pixels();
                    int k = g.fanIn();
                    device.gemm(true, false, k, g.outC, rows, 1f, cols[l], 0, k, delta, 0, g.outC, 0f, grad,
                            g.weightOffset, g.outC, stream);
                    device.columnSums(delta, 0, rows, g.outC, grad, g.biasOffset, stream);
                    if (l > 0) {
                        device.gemm(false, true, rows, k, g.outC, 1f, delta, 0, g.outC, params, g.weightOffset,
                                g.outC, 0f, dcol, 0, k, stream);
                        device.col2im(dcol, 0, n, g.inH, g.inW, g.inC, g.kernel, g.pad, other, 0, stream);
                    }
                    break;
                }
                case POOL:
                    if (l > 0) {
                        device.maxPoolBackward(delta, 0, argmax[l], 0, n, g.inH, g.inW, g.inC, g.kernel, other, 0,
                                stream);
                    }
                    break;
                default: {
                    int in = g.inSize();
                    DeviceBuffer input = l == 0 ? io.x() : acts[l - 1];
                    device.gemm(true, false, in, g.outC, n, 1f, input, 0, in, delta, 0, g.outC, 0f, grad,
                            g.weightOffset, g.outC, stream);
                    device.columnSums(delta, 0, n, g.outC, grad, g.biasOffset, stream);
                    if (l > 0) {
                        device.gemm(false, true, n, in, g.outC, 1f, delta, 0, g.outC, params, g.weightOffset, g.outC,
                                0f, other, 0, in, stream);
                    }
                }
            }
            DeviceBuffer t = delta;
            delta = other;
            other = t;
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
        int chunk = Math.max(ConvNet.EVAL_CHUNK, capacity);
        ensureCapacity(Math.min(n, chunk));
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            io.upload(batch, from, m);
            forward(params, m);
            io.tally(acts[geo.length - 1], m, batch.labels(), from, tally);
        }
    }

    /** Every layer's output for the {@code n} uploaded samples; the logits end in the last. */
    private void forward(DeviceBuffer params, int n) {
        DeviceBuffer input = io.x();
        for (int l = 0; l < geo.length; l++) {
            ConvNet.Geometry g = geo[l];
            DeviceBuffer out = acts[l];
            switch (g.kind) {
                case CONV: {
                    int rows = n * g.pixels();
                    int k = g.fanIn();
                    device.im2col(input, 0, n, g.inH, g.inW, g.inC, g.kernel, g.pad, cols[l], 0, stream);
                    device.gemm(false, false, rows, g.outC, k, 1f, cols[l], 0, k, params, g.weightOffset, g.outC, 0f,
                            out, 0, g.outC, stream);
                    device.addBias(out, 0, rows, g.outC, params, g.biasOffset, stream);
                    device.relu(out, 0, out, 0, rows * g.outC, stream);
                    break;
                }
                case POOL:
                    device.maxPool(input, 0, n, g.inH, g.inW, g.inC, g.kernel, out, 0, argmax[l], 0, stream);
                    break;
                default: {
                    int in = g.inSize();
                    device.gemm(false, false, n, g.outC, in, 1f, input, 0, in, params, g.weightOffset, g.outC, 0f,
                            out, 0, g.outC, stream);
                    device.addBias(out, 0, n, g.outC, params, g.biasOffset, stream);
                    if (g.relu) {
                        device.relu(out, 0, out, 0, n * g.outC, stream);
                    }
                }
            }
            input = out;
        }
    }

    /** Grows the work buffers to {@code n} samples (after the queued work that uses the old ones). */
    private void ensureCapacity(int n) {
        if (closed) {
            throw new IllegalStateException("this device model was closed");
        }
        if (n <= capacity) {
            return;
        }
        io.ensure(n);
        freeBuffers();
        acts = new DeviceBuffer[geo.length];
        cols = new DeviceBuffer[geo.length];
        argmax = new DeviceBuffer[geo.length];
        int dcolSize = 0;
        for (int l = 0; l < geo.length; l++) {
            ConvNet.Geometry g = geo[l];
            int outs = Math.multiplyExact(n, g.outSize());
            acts[l] = device.allocate(outs);
            if (g.kind == CnnSpec.Kind.CONV) {
                int size = Math.multiplyExact(Math.multiplyExact(n, g.pixels()), g.fanIn());
                cols[l] = device.allocate(size);
                if (l > 0) {
                    dcolSize = Math.max(dcolSize, size);
                }
            } else if (g.kind == CnnSpec.Kind.POOL) {
                argmax[l] = device.allocate(outs);
            }
        }
        dcol = device.allocate(Math.max(1, dcolSize));
        gradA = device.allocate(Math.multiplyExact(n, widest));
        gradB = device.allocate(Math.multiplyExact(n, widest));
        capacity = n;
    }

    private void freeBuffers() {
        for (DeviceBuffer b : new DeviceBuffer[] {dcol, gradA, gradB}) {
            if (b != null) {
                b.free();
            }
        }
        for (DeviceBuffer[] set : new DeviceBuffer[][] {acts, cols, argmax}) {
            if (set != null) {
                for (DeviceBuffer b : set) {
                    if (b != null) {
                        b.free();
                    }
                }
            }
        }
        acts = null;
        cols = null;
        argmax = null;
        dcol = null;
        gradA = null;
        gradB = null;
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

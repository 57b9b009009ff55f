package io.ringsgd.pipesgd.model;

import io.ringsgd.gpu.ConvKernels;
import io.ringsgd.pipesgd.data.Batch;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A convolutional network on square one-channel images (a sample of {@code side·side} features, row by row, as in
 * MNIST's IDX files): the hidden layers of a {@link CnnSpec} (convolutions and dense layers with ReLU, max pooling),
 * then a dense output layer and softmax cross-entropy. Activations are NHWC. A convolution is im2col
 * ({@link ConvKernels}) followed by one BLAS product over the whole batch, {@code col (n·oh·ow × k·k·c) · W
 * (k·k·c × filters)}; its backward pass is two products and col2im. Max pooling keeps the index of each maximum for
 * the backward pass. Every work buffer is allocated when a larger batch than before arrives, never per iteration;
 * evaluation runs in chunks of at most {@value #EVAL_CHUNK} samples (or the training batch, if larger), so that the
 * column matrices of a 500-sample evaluation batch are never held at once.
 *
 * <p>Parameters, layer after layer: a convolution's {@code (k·k·c_in) × filters} weights (row (ky, kx, c_in)),
 * then its biases; a dense layer's {@code in × out} weights (its input is the previous layer's NHWC output,
 * flattened), then its biases. He-normal weights for the layers followed by a ReLU, Glorot-uniform for the output
 * layer, zero biases, drawn in that order from one generator seeded by the seed. Not thread-safe (one per worker).
 */
public final class ConvNet implements Model {
    /** The largest number of samples one evaluation pass pushes through the network at once. */
    public static final int EVAL_CHUNK = 64;

    private final String name;
    private final CnnSpec spec;
    private final int side;
    private final int classes;
    private final Geometry[] geo;
    private final int parameterCount;
    private final int widest;

    private int capacity;
    private float[][] acts;
    private float[][] cols;
    private int[][] argmax;
    private float[] dcol;
    private float[] gradA;
    private float[] gradB;

    /** One layer's shapes and parameter offsets (the output layer included). */
    static final class Geometry {
        final CnnSpec.Kind kind;
        final int inH;
        final int inW;
        final int inC;
        final int outH;
        final int outW;
        final int outC;
        final int kernel;
        final int pad;
        final boolean relu;
        final int weightOffset;
        final int biasOffset;

        Geometry(CnnSpec.Kind kind, int inH, int inW, int inC, int outH, int outW, int outC, int kernel, int pad,
                boolean relu, int weightOffset, int biasOffset) {
            this.kind = kind;
            this.inH = inH;
            this.inW = inW;
            this.inC = inC;
            this.outH = outH;
            this.outW = outW;
            this.outC = outC;
            this.kernel = kernel;
            this.pad = pad;
            this.relu = relu;
            this.weightOffset = weightOffset;
            this.biasOffset = biasOffset;
        }

        int inSize() {
            return inH * inW * inC;
        }

        int outSize() {
            return outH * outW * outC;
        }

        /** Rows of the column matrix per sample (output pixels) for a convolution. */
        int pixels() {
            return outH * outW;
        }

        /** Columns of the column matrix (k·k·c_in) for a convolution; the input size for a dense layer. */
        int fanIn() {
            return kind == CnnSpec.Kind.CONV ? kernel * kernel * inC : inSize();
        }

        boolean hasParameters() {
            return kind != CnnSpec.Kind.POOL;
        }
    }

    /**
     * The network {@code spec} for {@code inputSize} features and {@code classCount} classes.
     *
     * @param name       what {@link #describe()} starts with, e.g. "cnn" or "cnn-large"
     * @param spec       the hidden layers
     * @param inputSize  features per sample: a square number (side × side, one channel)
     * @param classCount classes, at least 2
     * @throws IllegalArgumentException (one line) if the input is not square or a layer does not fit its input
     */
    public ConvNet(String name, CnnSpec spec, int inputSize, int classCount) {
        this.name = name;
        this.spec = spec;
        int s = (int) Math.round(Math.sqrt(inputSize));
        if (inputSize < 1 || s * s != inputSize) {
            throw new IllegalArgumentException("the " + name + " model takes square one-channel images (e.g. 784 ="
                    + " 28x28 features), but the data has " + inputSize + " features: use --model mlp for this data");
        }
        if (classCount < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + classCount);
        }
        this.side = s;
        this.classes = classCount;
        List<CnnSpec.Layer> layers = spec.layers();
        this.geo = new Geometry[layers.size() + 1];
        int h = s;
        int w = s;
        int c = 1;
        long off = 0;
        int wide = inputSize;
        for (int i = 0; i <= layers.size(); i++) {
            CnnSpec.Layer l = i < layers.size() ? layers.get(i) : new CnnSpec.Layer(CnnSpec.Kind.DENSE, classCount, 0,
                    0);
            boolean output = i == layers.size();
            Geometry g;
            switch (l.kind()) {
                case CONV: {
                    int oh = ConvKernels.convOut(h, l.kernel(), l.pad());
                    int ow = ConvKernels.convOut(w, l.kernel(), l.pad());
                    if (oh < 1 || ow < 1) {
                        throw new IllegalArgumentException(describeLayer(l) + " of " + name + " " + spec
                                + " does not fit its " + h + "x" + w + " input: use a smaller kernel or more padding");
                    }
                    long weights = (long) l.kernel() * l.kernel() * c * l.size();
                    g = new Geometry(CnnSpec.Kind.CONV, h, w, c, oh, ow, l.size(), l.kernel(), l.pad(), true,
                            (int) off, (int) Math.min(Integer.MAX_VALUE, off + weights));
                    off += weights + l.size();
                    break;
                }
                case POOL:
                    if (l.size() > h || l.size() > w) {
                        throw new IllegalArgumentException(describeLayer(l) + " of " + name + " " + spec
                                + " is larger than its " + h + "x" + w + " input: drop a pooling layer");
                    }
                    g = new Geometry(CnnSpec.Kind.POOL, h, w, c, h / l.size(), w / l.size(), c, l.size(), 0, false,
                            -1, -1);
                    break;
                default: {
                    long in = (long) h * w * c;
                    g = new Geometry(CnnSpec.Kind.DENSE, h, w, c, 1, 1, l.size(), 0, 0, !output, (int) Math.min(
                            Integer.MAX_VALUE, off), (int) Math.min(Integer.MAX_VALUE, off + in * l.size()));
                    off += in * l.size() + l.size();
                }
            }
            if (off > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("model " + name + " " + spec + " has more than 2^31 parameters");
            }
            geo[i] = g;
            h = g.outH;
            w = g.outW;
            c = g.outC;
            wide = Math.max(wide, g.outSize());
        }
        this.parameterCount = (int) off;
        this.widest = wide;
    }

    private static String describeLayer(CnnSpec.Layer l) {
        switch (l.kind()) {
            case CONV:
                return "convolution c" + l.size() + "k" + l.kernel() + "p" + l.pad();
            case POOL:
                return "pooling pool" + l.size();
            default:
                return "dense d" + l.size();
        }
    }

    /** The layers' shapes and offsets, the output layer last (for the device pass). */
    Geometry[] geometry() {
        return geo.clone();
    }

    /** The largest per-sample activation (input included), in floats. */
    int widest() {
        return widest;
    }

    @Override
    public String describe() {
        return name + " " + side + "x" + side + "x1-" + spec + "-" + classes;
    }

    @Override
    public int inputSize() {
        return side * side;
    }

    @Override
    public int classCount() {
        return classes;
    }

    @Override
    public int parameterCount() {
        return parameterCount;
    }

    @Override
    public void initialize(float[] params, long seed) {
        checkLength(params, "parameter");
        SplittableRandom rnd = new SplittableRandom(seed);
        for (Geometry g : geo) {
            if (!g.hasParameters()) {
                continue;
            }
            int fanIn = g.fanIn();
            int count = fanIn * g.outC;
            if (g.relu) {
                double std = Math.sqrt(2.0 / fanIn);
                for (int i = 0; i < count; i++) {
                    params[g.weightOffset + i] = (float) (std * rnd.nextGaussian());
                }
            } else {
                double limit = Math.sqrt(6.0 / (fanIn + g.outC));
                for (int i = 0; i < count; i++) {
                    params[g.weightOffset + i] = (float) ((2 * rnd.nextDouble() - 1) * limit);
                }
            }
            java.util.Arrays.fill(params, g.biasOffset, g.biasOffset + g.outC, 0f);
        }
    }

    @Override
    public double lossAndGradient(float[] params, Batch batch, float[] grad) {
        int n = FeedForwardModel.beginGradient(this, params, batch, grad);
        if (n == 0) {
            return 0.0;
        }
        ensureCapacity(n);
        float[] x = batch.features();
        forward(params, x, 0, n);
        int last = geo.length - 1;
        float[] delta = gradA;
        double meanLoss = FeedForwardModel.softmaxCrossEntropy(acts[last], n, classes, batch.labels(), delta);
        float[] other = gradB;
        for (int l = last; l >= 0; l--) {
            Geometry g = geo[l];
            float[] input = l == 0 ? x : acts[l - 1];
            if (g.relu) {
                float[] out = acts[l];
                int count = n * g.outSize();
                for (int i = 0; i < count; i++) {
                    if (out[i] <= 0f) {
                        delta[i] = 0f;
                    }
                }
            }
            switch (g.kind) {
                case CONV: {
                    int rows = n * g.pixels();
                    int k = g.fanIn();
                    // dW = colᵀ · delta (k × filters); d(col) = delta · Wᵀ, folded back onto the input by col2im
                    RowMajor.gemm(true, false, k, g.outC, rows, 1f, cols[l], 0, k, delta, 0, g.outC, 0f, grad,
                            g.weightOffset, g.outC);
                    FeedForwardModel.biasGradient(delta, rows, g.outC, grad, g.biasOffset);
                    if (l > 0) {
                        RowMajor.gemm(false, true, rows, k, g.outC, 1f, delta, 0, g.outC, params, g.weightOffset,
                                g.outC, 0f, dcol, 0, k);
                        ConvKernels.col2im(dcol, 0, n, g.inH, g.inW, g.inC, g.kernel, g.pad, other, 0);
                    }
                    break;
                }
                case POOL:
                    if (l > 0) {
                        ConvKernels.maxPoolBackward(delta, 0, argmax[l], 0, 0, n * g.outSize(), other, 0,
                                n * g.inSize());
                    }
                    break;
                default: {
                    int in = g.inSize();
                    RowMajor.gemm(true, false, in, g.outC, n, 1f, input, 0, in, delta, 0, g.outC, 0f, grad,
                            g.weightOffset, g.outC);
                    FeedForwardModel.biasGradient(delta, n, g.outC, grad, g.biasOffset);
                    if (l > 0) {
                        RowMajor.gemm(false, true, n, in, g.outC, 1f, delta, 0, g.outC, params, g.weightOffset,
                                g.outC, 0f, other, 0, in);
                    }
                }
            }
            float[] t = delta;
            delta = other;
            other = t;
        }
        return meanLoss;
    }

    @Override
    public void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally) {
        checkLength(params, "parameter");
        checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            return;
        }
        int chunk = Math.max(EVAL_CHUNK, capacity);
        ensureCapacity(Math.min(n, chunk));
        int in = inputSize();
        int[] y = batch.labels();
        float[] logits = acts[geo.length - 1];
        for (int from = 0; from < n; from += chunk) {
            int m = Math.min(chunk, n - from);
            forward(params, batch.features(), from * in, m);
            FeedForwardModel.tally(logits, m, classes, y, from, tally);
        }
    }

    /** Every layer's output for the {@code n} samples of {@code x} from {@code xo}; the logits end in the last. */
    private void forward(float[] params, float[] x, int xo, int n) {
        float[] input = x;
        int inOff = xo;
        for (int l = 0; l < geo.length; l++) {
            Geometry g = geo[l];
            float[] out = acts[l];
            switch (g.kind) {
                case CONV: {
                    int rows = n * g.pixels();
                    int k = g.fanIn();
                    ConvKernels.im2col(input, inOff, n, g.inH, g.inW, g.inC, g.kernel, g.pad, cols[l], 0);
                    RowMajor.gemm(false, false, rows, g.outC, k, 1f, cols[l], 0, k, params, g.weightOffset, g.outC,
                            0f, out, 0, g.outC);
                    FeedForwardModel.biasAndRelu(out, rows, g.outC, params, g.biasOffset, true);
                    break;
                }
                case POOL:
                    ConvKernels.maxPool(input, inOff, n, g.inH, g.inW, g.inC, g.kernel, out, 0, argmax[l], 0);
                    break;
                default: {
                    int in = g.inSize();
                    RowMajor.gemm(false, false, n, g.outC, in, 1f, input, inOff, in, params, g.weightOffset, g.outC,
                            0f, out, 0, g.outC);
                    FeedForwardModel.biasAndRelu(out, n, g.outC, params, g.biasOffset, g.relu);
                }
            }
            input = out;
            inOff = 0;
        }
    }

    private void ensureCapacity(int n) {
        if (n <= capacity) {
            return;
        }
        acts = new float[geo.length][];
        cols = new float[geo.length][];
        argmax = new int[geo.length][];
        long dcolSize = 0;
        for (int l = 0; l < geo.length; l++) {
            Geometry g = geo[l];
            acts[l] = new float[Math.multiplyExact(n, g.outSize())];
            if (g.kind == CnnSpec.Kind.CONV) {
                cols[l] = new float[Math.multiplyExact(Math.multiplyExact(n, g.pixels()), g.fanIn())];
                if (l > 0) {
                    dcolSize = Math.max(dcolSize, cols[l].length);
                }
            } else if (g.kind == CnnSpec.Kind.POOL) {
                argmax[l] = new int[acts[l].length];
            }
        }
        dcol = new float[(int) dcolSize];
        gradA = new float[Math.multiplyExact(n, widest)];
        gradB = new float[Math.multiplyExact(n, widest)];
        capacity = n;
    }

    void checkLength(float[] v, String what) {
        FeedForwardModel.checkLength(this, v, what);
    }

    void checkBatch(Batch batch) {
        FeedForwardModel.checkBatch(this, batch);
    }
}

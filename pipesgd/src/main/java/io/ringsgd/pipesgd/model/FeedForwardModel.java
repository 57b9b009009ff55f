package io.ringsgd.pipesgd.model;

import io.ringsgd.pipesgd.data.Batch;
import java.util.SplittableRandom;
import java.util.function.DoubleUnaryOperator;

/**
 * Dense layers with ReLU between them and softmax cross-entropy on top; the shared engine of {@link Mlp} (hidden
 * layers) and {@link SoftmaxRegression} (none). Layer l maps {@code sizes[l]} to {@code sizes[l+1]} features; its
 * parameters are a row-major {@code sizes[l] × sizes[l+1]} weight matrix followed by {@code sizes[l+1]} biases, layers
 * one after the other in the flat vector. Matrix products go through BLAS; the softmax runs in double precision.
 */
abstract class FeedForwardModel implements Model, PerSampleGradients {
    private final int[] sizes;
    private final int[] weightOffset;
    private final int[] biasOffset;
    private final int parameterCount;
    private final int widest;
    /** acts[l] holds the output of layer l−1 (after ReLU for hidden layers); acts[layers] holds the logits. */
    private final float[][] acts;
    private float[] deltaA = new float[0];
    private float[] deltaB = new float[0];
    private int capacity;
    /** Per-sample path only: deltas[l] holds the n × sizes[l+1] error signal at layer l's output. */
    private float[][] deltas;
    private int deltasCapacity;

    FeedForwardModel(int[] sizes) {
        for (int s : sizes) {
            if (s < 1) {
                throw new IllegalArgumentException("layer sizes must be positive, got "
                        + java.util.Arrays.toString(sizes));
            }
        }
        if (sizes[sizes.length - 1] < 2) {
            throw new IllegalArgumentException("a classifier needs at least 2 classes, got " + sizes[sizes.length - 1]);
        }
        this.sizes = sizes.clone();
        int layers = sizes.length - 1;
        this.weightOffset = new int[layers];
        this.biasOffset = new int[layers];
        long off = 0;
        int w = 0;
        for (int l = 0; l < layers; l++) {
            weightOffset[l] = (int) off;
            off += (long) sizes[l] * sizes[l + 1];
            biasOffset[l] = (int) off;
            off += sizes[l + 1];
            if (off > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("model " + describe() + " has more than 2^31 parameters");
            }
            w = Math.max(w, sizes[l + 1]);
        }
        this.parameterCount = (int) off;
        this.widest = w;
        this.acts = new float[layers + 1][];
    }

    final int layers() {
        return sizes.length - 1;
    }

    /** Offset of layer {@code l}'s weight matrix in the parameter vector. */
    final int weightOffset(int l) {
        return weightOffset[l];
    }

    final int biasOffset(int l) {
        return biasOffset[l];
    }

    final int size(int i) {
        return sizes[i];
    }

    /** Layer sizes joined by '-', e.g. "784-256-128-10". */
    final String shape() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            sb.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        return sb.toString();
    }

    @Override
    public final int inputSize() {
        return sizes[0];
    }

    @Override
    public final int classCount() {
        return sizes[sizes.length - 1];
    }

    @Override
    public final int parameterCount() {
        return parameterCount;
    }

    /**
     * He-normal weights (std √(2/fan-in)) for layers followed by a ReLU, Glorot-uniform (±√(6/(fan-in+fan-out)))
     * for the output layer, zero biases.
     */
    @Override
    public void initialize(float[] params, long seed) {
        checkLength(params, "parameter");
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            int w = weightOffset[l];
            if (l < layers() - 1) {
                double std = Math.sqrt(2.0 / in);
                for (int i = 0; i < in * out; i++) {
                    params[w + i] = (float) (std * rnd.nextGaussian());
                }
            } else {
                double limit = Math.sqrt(6.0 / (in + out));
                for (int i = 0; i < in * out; i++) {
                    params[w + i] = (float) ((2 * rnd.nextDouble() - 1) * limit);
                }
            }
            java.util.Arrays.fill(params, biasOffset[l], biasOffset[l] + out, 0f);
        }
    }

    @Override
    public final double lossAndGradient(float[] params, Batch batch, float[] grad) {
        int n = beginGradient(this, params, batch, grad);
        if (n == 0) {
            return 0.0;
        }
        ensureCapacity(n);
        float[] x = batch.features();
        forward(params, x, n);
        int last = layers();
        int classes = classCount();
        float[] delta = deltaA;
        double meanLoss = softmaxCrossEntropy(acts[last], n, classes, batch.labels(), delta);
        float[] other = deltaB;
        for (int l = last - 1; l >= 0; l--) {
            layerGradient(l, x, delta, n, grad);
            if (l > 0) {
                propagate(l, params, delta, n, other);
                float[] t = delta;
                delta = other;
                other = t;
            }
        }
        return meanLoss;
    }

    /**
     * Per-sample weighting in one forward and one backward pass: the error signals of every layer are kept, and since
     * a dense layer's per-sample weight gradient is the outer product of its input row and its delta row,
     * ‖g_i‖² = Σ_l ‖δ_i^l‖² (‖a_i^l‖² + 1) (the 1 for the bias) needs no per-sample gradient. Each sample's delta rows
     * are then scaled by its factor (delta rows of lower layers are linear in those above, row by row) before the
     * weight-gradient products, which thus sum the weighted per-sample gradients.
     */
    @Override
    public final double weightedGradientSum(float[] params, Batch batch, DoubleUnaryOperator weight, float[] grad) {
        int n = beginGradient(this, params, batch, grad);
        if (n == 0) {
            return 0.0;
        }
        ensureCapacity(n);
        ensureDeltas(n);
        float[] x = batch.features();
        forward(params, x, n);
        int last = layers();
        double meanLoss = softmaxCrossEntropy(acts[last], n, classCount(), batch.labels(), deltas[last - 1]);
        for (int l = last - 1; l > 0; l--) {
            propagate(l, params, deltas[l], n, deltas[l - 1]);
        }
        // softmaxCrossEntropy's deltas are those of the mean loss: sample i's own gradient is n times its rows.
        for (int i = 0; i < n; i++) {
            double sq = 0;
            for (int l = 0; l < last; l++) {
                float[] input = l == 0 ? x : acts[l];
                sq += squaredNorm(deltas[l], i, sizes[l + 1]) * (squaredNorm(input, i, sizes[l]) + 1.0);
            }
            float factor = (float) (weight.applyAsDouble(n * Math.sqrt(sq)) * n);
            for (int l = 0; l < last; l++) {
                int out = sizes[l + 1];
                for (int j = i * out; j < (i + 1) * out; j++) {
                    deltas[l][j] *= factor;
                }
            }
        }
        for (int l = 0; l < last; l++) {
            layerGradient(l, x, deltas[l], n, grad);
        }
        return meanLoss;
    }

    /** Layer l's weight and bias gradients from its input (x for layer 0) and the error signal at its output. */
    private void layerGradient(int l, float[] x, float[] delta, int n, float[] grad) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] input = l == 0 ? x : acts[l];
        // dW = inputᵀ · delta  (in × out)
        RowMajor.gemm(true, false, in, out, n, 1f, input, 0, in, delta, 0, out, 0f, grad, weightOffset[l], out);
        biasGradient(delta, n, out, grad, biasOffset[l]);
    }

    /** The error signal at layer l's input (l ≥ 1): delta · Wᵀ (n × in), through the ReLU that produced the input. */
    private void propagate(int l, float[] params, float[] delta, int n, float[] below) {
        int in = sizes[l];
        int out = sizes[l + 1];
        float[] input = acts[l];
        RowMajor.gemm(false, true, n, in, out, 1f, delta, 0, out, params, weightOffset[l], out, 0f, below, 0, in);
        for (int i = 0; i < n * in; i++) {
            if (input[i] <= 0f) {
                below[i] = 0f;
            }
        }
    }

    /** Σ_j v[row·cols + j]², in double precision. */
    static double squaredNorm(float[] v, int row, int cols) {
        double s = 0;
        for (int j = row * cols; j < (row + 1) * cols; j++) {
            s += (double) v[j] * v[j];
        }
        return s;
    }

    private void ensureDeltas(int n) {
        if (deltas != null && n <= deltasCapacity) {
            return;
        }
        deltas = new float[layers()][];
        for (int l = 0; l < layers(); l++) {
            deltas[l] = new float[Math.multiplyExact(n, sizes[l + 1])];
        }
        deltasCapacity = n;
    }

    /**
     * The mean softmax cross-entropy of {@code n} rows of {@code logits} (in double precision) against labels
     * {@code y}; writes its gradient with respect to the logits into {@code delta}. Shared by the built-in CPU models.
     */
    static double softmaxCrossEntropy(float[] logits, int n, int classes, int[] y, float[] delta) {
        double lossSum = 0;
        double invN = 1.0 / n;
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            float max = logits[row];
            for (int j = 1; j < classes; j++) {
                max = Math.max(max, logits[row + j]);
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            int label = y[i];
            lossSum += Math.log(sum) - (logits[row + label] - max);
            for (int j = 0; j < classes; j++) {
                double p = Math.exp(logits[row + j] - max) / sum;
                delta[row + j] = (float) ((j == label ? p - 1.0 : p) * invN);
            }
        }
        return lossSum * invN;
    }

    /** {@code grad[b + j] = Σ_i delta[i][j]} over {@code rows} rows in order: a layer's bias gradient. */
    static void biasGradient(float[] delta, int rows, int cols, float[] grad, int b) {
        for (int j = 0; j < cols; j++) {
            grad[b + j] = 0f;
        }
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            for (int j = 0; j < cols; j++) {
                grad[b + j] += delta[row + j];
            }
        }
    }

    /** {@code z[i][j] += params[b + j]}, then a ReLU if {@code relu}, over {@code rows} rows of {@code cols}. */
    static void biasAndRelu(float[] z, int rows, int cols, float[] params, int b, boolean relu) {
        for (int i = 0; i < rows; i++) {
            int row = i * cols;
            for (int j = 0; j < cols; j++) {
                float v = z[row + j] + params[b + j];
                z[row + j] = relu && v < 0f ? 0f : v;
            }
        }
    }

    @Override
    public final void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally) {
        checkLength(params, "parameter");
        checkBatch(batch);
        int n = batch.size();
        if (n == 0) {
            return;
        }
        ensureCapacity(n);
        forward(params, batch.features(), n);
        tally(acts[layers()], n, classCount(), batch.labels(), 0, tally);
    }

    /**
     * Adds the summed loss (softmax cross-entropy, in double precision) and the correct predictions of {@code n} rows
     * of {@code logits} against labels {@code y[yOffset..]} to {@code tally}; shared with the convolutional model and
     * the device path, which computes the logits on the device and tallies them here.
     */
    static void tally(float[] logits, int n, int classes, int[] y, int yOffset, Evaluation.Tally tally) {
        long correct = 0;
        double lossSum = 0;
        for (int i = 0; i < n; i++) {
            int row = i * classes;
            int best = 0;
            float max = logits[row];
            for (int j = 1; j < classes; j++) {
                if (logits[row + j] > max) {
                    max = logits[row + j];
                    best = j;
                }
            }
            double sum = 0;
            for (int j = 0; j < classes; j++) {
                sum += Math.exp(logits[row + j] - max);
            }
            lossSum += Math.log(sum) - (logits[row + y[yOffset + i]] - max);
            if (best == y[yOffset + i]) {
                correct++;
            }
        }
        tally.add(n, correct, lossSum);
    }

    /** Computes every layer's output for the first {@code n} rows of {@code x}; logits end in acts[layers]. */
    private void forward(float[] params, float[] x, int n) {
        float[] input = x;
        for (int l = 0; l < layers(); l++) {
            int in = sizes[l];
            int out = sizes[l + 1];
            float[] z = acts[l + 1];
            RowMajor.gemm(false, false, n, out, in, 1f, input, 0, in, params, weightOffset[l], out, 0f, z, 0, out);
            biasAndRelu(z, n, out, params, biasOffset[l], l < layers() - 1);
            input = z;
        }
    }

    private void ensureCapacity(int n) {
        if (n <= capacity) {
            return;
        }
        for (int l = 1; l <= layers(); l++) {
            acts[l] = new float[Math.multiplyExact(n, sizes[l])];
        }
        int deltaSize = Math.multiplyExact(n, widest);
        deltaA = new float[deltaSize];
        deltaB = new float[deltaSize];
        capacity = n;
    }

    void checkLength(float[] v, String what) {
        checkLength(this, v, what);
    }

    void checkBatch(Batch batch) {
        checkBatch(this, batch);
    }

    /**
     * Checks the arguments of a CPU model's gradient call and returns the batch's size; for an empty batch it also
     * zeroes the gradient.
     */
    static int beginGradient(Model model, float[] params, Batch batch, float[] grad) {
        checkLength(model, params, "parameter");
        checkLength(model, grad, "gradient");
        checkBatch(model, batch);
        int n = batch.size();
        if (n == 0) {
            java.util.Arrays.fill(grad, 0f);
        }
        return n;
    }

    /** {@code v} has {@code model}'s parameter count; {@code what} names it ("parameter", "gradient"). */
    static void checkLength(Model model, float[] v, String what) {
        if (v.length != model.parameterCount()) {
            throw new IllegalArgumentException(what + " vector has " + v.length + " floats but " + model.describe()
                    + " has " + model.parameterCount() + " parameters");
        }
    }

    /** The batch's samples have {@code model}'s input size and its labels are classes of the model. */
    static void checkBatch(Model model, Batch batch) {
        if (batch.featureCount() != model.inputSize()) {
            throw new IllegalArgumentException("batch samples have " + batch.featureCount() + " features but "
                    + model.describe() + " takes " + model.inputSize());
        }
        int[] y = batch.labels();
        for (int i = 0; i < batch.size(); i++) {
            if (y[i] < 0 || y[i] >= model.classCount()) {
                throw new IllegalArgumentException("label " + y[i] + " of batch sample " + i + " is not a class of "
                        + model.describe());
            }
        }
    }
}

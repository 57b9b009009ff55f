package io.ringsgd.gpu;

import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;

/**
 * Where float vectors live and the operations a data-parallel trainer runs on them: copies, element-wise kernels, the
 * reduction the device AllReduce applies to received chunks, the products and activations of a multi-layer
 * perceptron and of a convolutional network (im2col, col2im, max pooling), and the SGD step that updates its parameters. {@link CudaDevice} runs them on an NVIDIA GPU, {@link HostDevice} in plain Java; both keep this
 * contract, so the host device is the reference the CUDA one is tested against.
 *
 * <p><b>Streams.</b> Every operation that takes a {@link DeviceStream} is enqueued on it and returns at once; it runs
 * after the work enqueued on that stream before it. A null stream means {@link #defaultStream()}. The copies between
 * a device buffer and a {@code float[]} are synchronous instead: they wait for all work queued on the device, copy,
 * and return when the copy is complete, so the array can be reused at once.
 *
 * <p><b>Layout.</b> Buffers hold floats. Matrices are row-major: element (i, j) of a matrix stored at {@code off} with
 * leading dimension {@code ld} is element {@code off + i·ld + j}. Host byte buffers hold floats in native
 * little-endian order.
 *
 * <p><b>Errors.</b> Arguments are checked before anything is enqueued: a negative count, an offset or matrix past the
 * end of a buffer, a buffer of another device, or an output that partly overlaps an input throws
 * {@link IllegalArgumentException} naming the argument; a freed buffer throws {@link IllegalStateException}; a failing
 * device call throws {@link DeviceException}. Asynchronous device failures surface at the next synchronization.
 *
 * <p>A device may be used from several threads; each stream must be fed by one thread at a time.
 */
public interface Device extends AutoCloseable {

    /** CUDA or host. */
    DeviceKind kind();

    /** One line for logs and reports: "cuda:0 NVIDIA A100 (compute 8.0, 39.6 GiB)" or "host (Java, 8 cores)". */
    String name();

    // ------------------------------------------------------------------------------------------- memory

    /**
     * Allocates {@code count} floats of device memory (contents undefined).
     *
     * @throws IllegalArgumentException if {@code count} is negative
     * @throws DeviceException if the device is out of memory
     */
    DeviceBuffer allocate(int count);

    /** Allocates a buffer holding a copy of {@code data}. */
    default DeviceBuffer upload(float[] data) {
        if (data == null) {
            throw new IllegalArgumentException("data is null: pass the floats to upload");
        }
        DeviceBuffer b = allocate(data.length);
        try {
            copyFromHost(data, 0, b, 0, data.length);
        } catch (RuntimeException e) {
            b.free();
            throw e;
        }
        return b;
    }

    /** The whole buffer copied into a new array (synchronous). */
    default float[] download(DeviceBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null");
        }
        float[] out = new float[buffer.count()];
        copyToHost(buffer, 0, out, 0, out.length);
        return out;
    }

    /**
     * Allocates {@code bytes} of host staging memory the device copies to and from asynchronously (page-locked on
     * CUDA), at most {@link Integer#MAX_VALUE} bytes because it is exposed as one {@link ByteBuffer}.
     */
    PinnedBuffer allocatePinned(int bytes);

    // ------------------------------------------------------------------------------------------- ordering

    /** A new stream; close it when done. */
    DeviceStream createStream();

    /**
     * The stream used when an operation is given null. On CUDA it is the legacy default stream, which is ordered with
     * every stream this device creates (safe, but it serializes); create streams to overlap work.
     */
    DeviceStream defaultStream();

    /** A new event; close it when done. */
    DeviceEvent createEvent();

    /** Blocks until all work queued on this device has finished. */
    void synchronize();

    // ------------------------------------------------------------------------------------------- copies

    /** Copies {@code count} floats of {@code src} from {@code srcOffset} into {@code dst}; synchronous. */
    void copyFromHost(float[] src, int srcOffset, DeviceBuffer dst, int dstOffset, int count);

    /** Copies {@code count} floats of {@code src} into {@code dst} at {@code dstOffset}; synchronous. */
    void copyToHost(DeviceBuffer src, int srcOffset, float[] dst, int dstOffset, int count);

    /**
     * Enqueues a copy of {@code count} floats from a direct (ideally {@link #allocatePinned pinned}) buffer, starting
     * at byte {@code srcByteOffset} (its position is ignored), into {@code dst}. The host memory must stay untouched
     * until the copy has finished.
     */
    void copyFromHost(ByteBuffer src, int srcByteOffset, DeviceBuffer dst, int dstOffset, int count,
            DeviceStream stream);

    /** Enqueues a copy of {@code count} floats of {@code src} into a direct buffer at byte {@code dstByteOffset}. */
    void copyToHost(DeviceBuffer src, int srcOffset, ByteBuffer dst, int dstByteOffset, int count,
            DeviceStream stream);

    /** Enqueues a device-to-device copy; the two ranges must not overlap. */
    void copy(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count, DeviceStream stream);

    // ------------------------------------------------------------------------------------------- element-wise

    /** {@code buf[i] = value}. */
    void fill(DeviceBuffer buf, int offset, int count, float value, DeviceStream stream);

    /** {@code buf[i] = +0.0f} (a memset on CUDA). */
    void zero(DeviceBuffer buf, int offset, int count, DeviceStream stream);

    /** {@code buf[i] = alpha · buf[i]}. */
    void scale(DeviceBuffer buf, int offset, int count, float alpha, DeviceStream stream);

    /**
     * {@code buf[i] = buf[i] / divisor}, correctly rounded. AVG uses this rather than {@link #scale} by 1/P because
     * {@code x · (1/P)} and {@code x / P} differ in the last bit when P is not a power of two, and the device result
     * must equal the host AllReduce's bit for bit.
     */
    void divide(DeviceBuffer buf, int offset, int count, float divisor, DeviceStream stream);

    /** {@code y[i] = y[i] + alpha · x[i]}, rounded after the product and after the sum (no fused multiply-add). */
    void axpy(float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count, DeviceStream stream);

    /**
     * {@code dst[i] = op(src[i], dst[i])} for SUM, PROD, MIN, MAX with Java's semantics ({@link Math#min} and
     * {@link Math#max}: NaN wins, -0.0 &lt; +0.0), so every device reduces exactly as the host collectives do; the
     * incoming operand comes first, as in the host ring. AVG is rejected: it is SUM followed by {@link #divide}.
     */
    void reduce(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count, ReduceOp op,
            DeviceStream stream);

    // ------------------------------------------------------------------------------------------- MLP math

    /**
     * {@code C = alpha · op(A) · op(B) + beta · C} in single precision, all matrices row-major: C is m×n with leading
     * dimension {@code ldc ≥ n}; op(A) is m×k, stored as m×k ({@code lda ≥ k}) or, with {@code transA}, as k×m
     * ({@code lda ≥ m}); op(B) is k×n, stored as k×n ({@code ldb ≥ n}) or, with {@code transB}, as n×k
     * ({@code ldb ≥ k}). With {@code beta == 0} C is not read (NaNs in it do not propagate). C must not overlap A or
     * B. On CUDA this is {@code cublasSgemm} on the transposed problem (column-major C^T = op(B)^T · op(A)^T).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset, int lda,
            DeviceBuffer b, int bOffset, int ldb, float beta, DeviceBuffer c, int cOffset, int ldc,
            DeviceStream stream);

    /** {@code x[i][j] += bias[j]} for a dense rows×cols matrix {@code x}: the bias of a fully connected layer. */
    void addBias(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer bias, int biasOffset,
            DeviceStream stream);

    /** {@code y[i] = x[i] > 0 ? x[i] : 0} (NaN gives 0); {@code y} may be {@code x} itself. */
    void relu(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count, DeviceStream stream);

    /**
     * Back-propagation through a ReLU, in place on the gradient: {@code grad[i] = activation[i] > 0 ? grad[i] : 0},
     * where {@code activation} is the ReLU's input or output (both are positive at the same places).
     */
    void reluBackward(DeviceBuffer activation, int activationOffset, DeviceBuffer grad, int gradOffset, int count,
            DeviceStream stream);

    /**
     * Softmax cross-entropy of a dense rows×cols matrix of logits against integer class labels, stored as floats
     * ({@code labels[i]} in 0..cols-1; exact up to 2^24). Writes {@code loss[i] = -log softmax(logits[i])[label]} and
     * {@code grad[i][j] = gradScale · (softmax(logits[i])[j] - (j == label ? 1 : 0))}, computed stably (the row maximum
     * is subtracted first). Pass {@code gradScale = 1/rows} for the gradient of the mean loss. A label that is not an
     * integer in range gives NaN loss and gradient for its row (the device cannot throw). {@code grad} may be the
     * logits themselves (same offset); otherwise nothing may overlap.
     */
    void softmaxCrossEntropy(DeviceBuffer logits, int logitsOffset, int rows, int cols, DeviceBuffer labels,
            int labelsOffset, float gradScale, DeviceBuffer grad, int gradOffset, DeviceBuffer loss, int lossOffset,
            DeviceStream stream);

    /**
     * {@code out[j] = Σ_i x[i][j]} over a dense rows×cols matrix, summed in row order: the bias gradient of a fully
     * connected layer, or (cols = 1) the sum of a vector such as the per-row losses.
     */
    void columnSums(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer out, int outOffset,
            DeviceStream stream);

    // ------------------------------------------------------------------------------------------- convolution

    /**
     * The column matrix of a square, stride-1 convolution with zero padding: {@code images} NHWC images of
     * {@code height×width×channels} at {@code x[xOffset..]} become {@code images·oh·ow} rows of
     * {@code kernel·kernel·channels} floats at {@code col[colOffset..]}, where {@code oh = height + 2·pad − kernel + 1}
     * (likewise ow); row (n, oy, ox), column (ky, kx, c) holds input pixel (oy − pad + ky, ox − pad + kx), channel c,
     * or zero in the padding. Times a {@code (kernel·kernel·channels) × filters} weight matrix ({@link #gemm}) it
     * gives the NHWC convolution. The layout is {@link ConvKernels}'s, whose loops the host device runs. The two
     * ranges must not overlap.
     */
    void im2col(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int kernel, int pad,
            DeviceBuffer col, int colOffset, DeviceStream stream);

    /**
     * The adjoint of {@link #im2col}: overwrites the {@code images·height·width·channels} floats at
     * {@code x[xOffset..]} with, for each pixel and channel, the sum over the taps (ky, kx), in increasing order from
     * +0.0, of the column-matrix entries im2col copied from it (the input gradient of a convolution, from the
     * gradient of its column matrix). Deterministic: one sum per input element, no atomics. The two ranges must not
     * overlap.
     */
    void col2im(DeviceBuffer col, int colOffset, int images, int height, int width, int channels, int kernel, int pad,
            DeviceBuffer x, int xOffset, DeviceStream stream);

    /**
     * Max pooling over {@code size×size} windows with stride {@code size} (no padding; a remainder is dropped) of
     * {@code images} NHWC images at {@code x[xOffset..]}: writes the {@code images·(height/size)·(width/size)·channels}
     * maxima to {@code y[yOffset..]} and, as many, the position of each maximum inside its window
     * ({@code dy·size + dx}, the first among equals in row-major order) to {@code argmax[argmaxOffset..]}. A NaN is
     * the maximum only where it comes first in its window. No two of the three ranges may overlap.
     */
    void maxPool(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int size,
            DeviceBuffer y, int yOffset, DeviceBuffer argmax, int argmaxOffset, DeviceStream stream);

    /**
     * Back-propagation through {@link #maxPool}: overwrites the input gradient {@code dx[dxOffset..]}
     * ({@code images·height·width·channels} floats) with the output gradient {@code dy} at each window's maximum (as
     * {@code argmax} records it) and zero elsewhere. No two of the three ranges may overlap.
     */
    void maxPoolBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer argmax, int argmaxOffset, int images, int height,
            int width, int channels, int size, DeviceBuffer dx, int dxOffset, DeviceStream stream);

    // ------------------------------------------------------------------------------------------- optimizer

    /**
     * One step of SGD with momentum μ and L2 weight decay λ on {@code count} parameters, in place (PyTorch's
     * formulation, as the trainers' CPU optimizer): {@code d = g + λ·w}; with μ = 0 {@code w = w − lr·d}; otherwise
     * {@code v = μ·v + d}, then {@code w = w − lr·v}, or with {@code nesterov} {@code w = w − lr·(d + μ·v)}. Every
     * product and sum is rounded on its own (no fused multiply-add), in that order, so the result equals a Java loop
     * of those expressions bit for bit and replicas that apply the same gradient stay identical on any device.
     *
     * <p>{@code velocity} is read and written only when {@code momentum != 0}; it may then not be null, and may be
     * null otherwise. The three ranges must not overlap.
     */
    void sgdStep(DeviceBuffer params, int paramsOffset, DeviceBuffer grad, int gradOffset, DeviceBuffer velocity,
            int velocityOffset, int count, float lr, float momentum, float weightDecay, boolean nesterov,
            DeviceStream stream);

    /**
     * Releases what the device holds (handles, compiled kernels). Buffers, streams and events it created should be
     * freed first; it does not free them for the caller.
     */
    @Override
    void close();
}

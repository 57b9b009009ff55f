package io.ringsgd.gpu;

import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import jcuda.NativePointerObject;
import jcuda.Pointer;
import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUfunction;
import jcuda.driver.JCudaDriver;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.JCuda;
import jcuda.runtime.cudaDeviceProp;
import jcuda.runtime.cudaEvent_t;
import jcuda.runtime.cudaMemcpyKind;
import jcuda.runtime.cudaStream_t;

/**
 * The {@link Device} on an NVIDIA GPU through JCuda: memory, copies, streams and events from the CUDA runtime API;
 * the element-wise, activation and loss kernels from {@link CudaKernels} (NVRTC + driver API); matrix products from
 * cuBLAS ({@code cublasSgemm}). Open one with {@link Devices#cuda(int)}.
 *
 * <p>The runtime and the driver API share the device's primary context. Every call first makes that context current
 * on the calling thread (cached per thread), so a device can be used from any thread, including a communicator's
 * progress thread. The cuBLAS handle is shared and guarded by a lock (its stream is set per call).
 */
public final class CudaDevice implements Device {
    /**
     * Which device's context is current on this thread (runtime device and driver context), by instance id rather than
     * ordinal: a device closed and reopened may get a new primary context under the same ordinal.
     */
    private static final ThreadLocal<long[]> BOUND = ThreadLocal.withInitial(() -> new long[] {-1});
    private static final AtomicLong IDS = new AtomicLong();

    private final long id = IDS.incrementAndGet();
    private final int ordinal;
    private final String name;
    private final int major;
    private final int minor;
    private final long totalMemory;
    private final CUdevice cuDevice = new CUdevice();
    private final CUcontext context = new CUcontext();
    private final cublasHandle blas = new cublasHandle();
    private final Object blasLock = new Object();
    private final CudaKernels kernels;
    private final CudaStream defaultStream;
    private volatile boolean closed;

    /** Opens device {@code ordinal}: retains its primary context, creates a cuBLAS handle, compiles the kernels. */
    CudaDevice(int ordinal) {
        this.ordinal = ordinal;
        int[] count = new int[1];
        Cuda.check(JCuda.cudaGetDeviceCount(count), "cudaGetDeviceCount");
        if (ordinal < 0 || ordinal >= count[0]) {
            throw new DeviceException("there is no CUDA device " + ordinal + ": this machine has " + count[0]
                    + (count[0] == 1 ? " device (ordinal 0)" : " devices (ordinals 0.." + (count[0] - 1) + ")"));
        }
        Cuda.check(JCuda.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
        Cuda.check(JCuda.cudaFree(new Pointer()), "initializing the CUDA context of device " + ordinal);
        cudaDeviceProp prop = new cudaDeviceProp();
        Cuda.check(JCuda.cudaGetDeviceProperties(prop, ordinal), "cudaGetDeviceProperties");
        this.major = prop.major;
        this.minor = prop.minor;
        this.totalMemory = prop.totalGlobalMem;
        this.name = String.format(Locale.ROOT, "cuda:%d %s (compute %d.%d, %.1f GiB, %d SMs)", ordinal,
                prop.getName().trim(), major, minor, totalMemory / (double) (1L << 30), prop.multiProcessorCount);

        Cuda.checkDriver(JCudaDriver.cuInit(0), "cuInit");
        Cuda.checkDriver(JCudaDriver.cuDeviceGet(cuDevice, ordinal), "cuDeviceGet(" + ordinal + ")");
        Cuda.checkDriver(JCudaDriver.cuDevicePrimaryCtxRetain(context, cuDevice), "cuDevicePrimaryCtxRetain");
        boolean blasCreated = false;
        try {
            Cuda.checkDriver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            BOUND.get()[0] = id;
            Cuda.checkBlas(JCublas2.cublasCreate(blas), "cublasCreate");
            blasCreated = true;
            this.kernels = new CudaKernels(major, minor);
        } catch (RuntimeException | LinkageError e) {
            if (blasCreated) {
                JCublas2.cublasDestroy(blas);
            }
            JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
            throw e;
        }
        this.defaultStream = new CudaStream(this, new cudaStream_t(), true);
    }

    /** Makes this device's context current on the calling thread (runtime and driver API). */
    void bind() {
        long[] bound = BOUND.get();
        if (bound[0] != id) {
            Cuda.check(JCuda.cudaSetDevice(ordinal), "cudaSetDevice(" + ordinal + ")");
            Cuda.checkDriver(JCudaDriver.cuCtxSetCurrent(context), "cuCtxSetCurrent");
            bound[0] = id;
        }
    }

    /** The CUDA ordinal of this device. */
    public int ordinal() {
        return ordinal;
    }

    /** Device memory in bytes. */
    public long totalMemory() {
        return totalMemory;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.CUDA;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String toString() {
        return name;
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException(name + " was closed");
        }
    }

    // ------------------------------------------------------------------------------------------- memory

    @Override
    public DeviceBuffer allocate(int count) {
        Checks.count(count, "the number of floats to allocate");
        checkOpen();
        Pointer p = new Pointer();
        if (count > 0) {
            bind();
            Cuda.check(JCuda.cudaMalloc(p, 4L * count), "cudaMalloc of " + count + " floats (" + 4L * count
                    + " bytes) on " + name);
        }
        return new CudaBuffer(this, count, p);
    }

    @Override
    public PinnedBuffer allocatePinned(int bytes) {
        Checks.pinnedSize(bytes);
        checkOpen();
        return new CudaPinnedBuffer(this, bytes);
    }

    // ------------------------------------------------------------------------------------------- ordering

    @Override
    public DeviceStream createStream() {
        checkOpen();
        bind();
        cudaStream_t s = new cudaStream_t();
        Cuda.check(JCuda.cudaStreamCreateWithFlags(s, JCuda.cudaStreamDefault), "cudaStreamCreateWithFlags");
        return new CudaStream(this, s, false);
    }

    @Override
    public DeviceStream defaultStream() {
        return defaultStream;
    }

    @Override
    public DeviceEvent createEvent() {
        checkOpen();
        bind();
        cudaEvent_t e = new cudaEvent_t();
        Cuda.check(JCuda.cudaEventCreateWithFlags(e, JCuda.cudaEventDisableTiming), "cudaEventCreateWithFlags");
        return new CudaEvent(this, e);
    }

    @Override
    public void synchronize() {
        bind();
        Cuda.check(JCuda.cudaDeviceSynchronize(), "cudaDeviceSynchronize");
    }

    CudaStream stream(DeviceStream s) {
        if (s == null) {
            return defaultStream;
        }
        if (!(s instanceof CudaStream) || ((CudaStream) s).owner() != this) {
            throw new IllegalArgumentException("the stream belongs to " + s.device().name() + ", not to " + name
                    + ": use a stream created by the device that runs the operation");
        }
        if (((CudaStream) s).isClosed()) {
            throw new IllegalStateException("the stream was closed");
        }
        return (CudaStream) s;
    }

    CudaEvent event(DeviceEvent e) {
        if (e == null) {
            throw new IllegalArgumentException("event is null");
        }
        if (!(e instanceof CudaEvent) || ((CudaEvent) e).owner() != this) {
            throw new IllegalArgumentException("the event belongs to another device: use an event created by "
                    + name);
        }
        return (CudaEvent) e;
    }

    private CudaBuffer live(DeviceBuffer b, String what) {
        if (b == null) {
            throw new IllegalArgumentException(what + " is null: pass a buffer allocated by this device");
        }
        if (!(b instanceof CudaBuffer) || ((CudaBuffer) b).owner() != this) {
            throw new IllegalArgumentException(what + " belongs to " + b.device().name() + ", not to " + name
                    + ": copy it through the host first");
        }
        if (b.isFreed()) {
            throw new IllegalStateException(what + " (a device buffer of " + b.count() + " floats) was freed:"
                    + " allocate a new one");
        }
        return (CudaBuffer) b;
    }

    // ------------------------------------------------------------------------------------------- copies

    @Override
    public void copyFromHost(float[] src, int srcOffset, DeviceBuffer dst, int dstOffset, int count) {
        CudaBuffer d = live(dst, "dst");
        Checks.upload(src, srcOffset, dst, dstOffset, count);
        if (count == 0) {
            return;
        }
        bind();
        // The legacy default stream waits for the work of every (blocking) stream before it copies.
        Cuda.check(JCuda.cudaMemcpy(d.at(dstOffset), Pointer.to(src).withByteOffset(4L * srcOffset), 4L * count,
                cudaMemcpyKind.cudaMemcpyHostToDevice), "cudaMemcpy host to device");
    }

    @Override
    public void copyToHost(DeviceBuffer src, int srcOffset, float[] dst, int dstOffset, int count) {
        CudaBuffer s = live(src, "src");
        Checks.download(src, srcOffset, dst, dstOffset, count);
        if (count == 0) {
            return;
        }
        bind();
        Cuda.check(JCuda.cudaMemcpy(Pointer.to(dst).withByteOffset(4L * dstOffset), s.at(srcOffset), 4L * count,
                cudaMemcpyKind.cudaMemcpyDeviceToHost), "cudaMemcpy device to host");
    }

    @Override
    public void copyFromHost(ByteBuffer src, int srcByteOffset, DeviceBuffer dst, int dstOffset, int count,
            DeviceStream stream) {
        CudaBuffer d = live(dst, "dst");
        Checks.upload(src, srcByteOffset, dst, dstOffset, count);
        CudaStream s = stream(stream);
        if (count == 0) {
            return;
        }
        bind();
        Cuda.check(JCuda.cudaMemcpyAsync(d.at(dstOffset), Pointer.to(src).withByteOffset(srcByteOffset),
                4L * count, cudaMemcpyKind.cudaMemcpyHostToDevice, s.runtime()), "cudaMemcpyAsync host to device");
    }

    @Override
    public void copyToHost(DeviceBuffer src, int srcOffset, ByteBuffer dst, int dstByteOffset, int count,
            DeviceStream stream) {
        CudaBuffer s = live(src, "src");
        Checks.download(src, srcOffset, dst, dstByteOffset, count);
        CudaStream st = stream(stream);
        if (count == 0) {
            return;
        }
        bind();
        Cuda.check(JCuda.cudaMemcpyAsync(Pointer.to(dst).withByteOffset(dstByteOffset), s.at(srcOffset),
                4L * count, cudaMemcpyKind.cudaMemcpyDeviceToHost, st.runtime()), "cudaMemcpyAsync device to host");
    }

    @Override
    public void copy(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count,
            DeviceStream stream) {
        CudaBuffer s = live(src, "src");
        CudaBuffer d = live(dst, "dst");
        Checks.copy(src, srcOffset, dst, dstOffset, count);
        CudaStream st = stream(stream);
        if (count == 0) {
            return;
        }
        bind();
        Cuda.check(JCuda.cudaMemcpyAsync(d.at(dstOffset), s.at(srcOffset), 4L * count,
                cudaMemcpyKind.cudaMemcpyDeviceToDevice, st.runtime()), "cudaMemcpyAsync device to device");
    }

    // ------------------------------------------------------------------------------------------- element-wise

    private void launch(CUfunction f, String kernel, long n, CudaStream s, NativePointerObject... args) {
        if (n == 0) {
            return;
        }
        bind();
        CudaKernels.launch(f, kernel, n, s.driver(), Pointer.to(args));
    }

    private static Pointer intArg(int v) {
        return Pointer.to(new int[] {v});
    }

    private static Pointer floatArg(float v) {
        return Pointer.to(new float[] {v});
    }

    @Override
    public void fill(DeviceBuffer buf, int offset, int count, float value, DeviceStream stream) {
        CudaBuffer b = live(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        launch(kernels.fill, "rs_fill", count, stream(stream), Pointer.to(b.at(offset)), intArg(count),
                floatArg(value));
    }

    @Override
    public void zero(DeviceBuffer buf, int offset, int count, DeviceStream stream) {
        CudaBuffer b = live(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        CudaStream s = stream(stream);
        if (count == 0) {
            return;
        }
        bind();
        Cuda.check(JCuda.cudaMemsetAsync(b.at(offset), 0, 4L * count, s.runtime()), "cudaMemsetAsync");
    }

    @Override
    public void scale(DeviceBuffer buf, int offset, int count, float alpha, DeviceStream stream) {
        CudaBuffer b = live(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        launch(kernels.scale, "rs_scale", count, stream(stream), Pointer.to(b.at(offset)), intArg(count),
                floatArg(alpha));
    }

    @Override
    public void divide(DeviceBuffer buf, int offset, int count, float divisor, DeviceStream stream) {
        CudaBuffer b = live(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        launch(kernels.divide, "rs_divide", count, stream(stream), Pointer.to(b.at(offset)), intArg(count),
                floatArg(divisor));
    }

    @Override
    public void axpy(float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count,
            DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer yb = live(y, "y");
        Checks.elementwise(x, xOffset, "x", y, yOffset, "y", count);
        launch(kernels.axpy, "rs_axpy", count, stream(stream), Pointer.to(xb.at(xOffset)),
                Pointer.to(yb.at(yOffset)), intArg(count), floatArg(alpha));
    }

    @Override
    public void reduce(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count, ReduceOp op,
            DeviceStream stream) {
        int code = Checks.reduceCode(op);
        CudaBuffer s = live(src, "src");
        CudaBuffer d = live(dst, "dst");
        Checks.elementwise(src, srcOffset, "src", dst, dstOffset, "dst", count);
        launch(kernels.reduce, "rs_reduce", count, stream(stream), Pointer.to(s.at(srcOffset)),
                Pointer.to(d.at(dstOffset)), intArg(count), intArg(code));
    }

    // ------------------------------------------------------------------------------------------- MLP math

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset,
            int lda, DeviceBuffer b, int bOffset, int ldb, float beta, DeviceBuffer c, int cOffset, int ldc,
            DeviceStream stream) {
        CudaBuffer ab = live(a, "A");
        CudaBuffer bb = live(b, "B");
        CudaBuffer cb = live(c, "C");
        Checks.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        CudaStream s = stream(stream);
        if (m == 0 || n == 0) {
            return;
        }
        bind();
        // Row-major C (m×n) = op(A)·op(B) is column-major C^T (n×m) = op(B)^T · op(A)^T, and a row-major matrix read
        // column-major is its transpose: so cuBLAS gets B first, then A, with the same transpose flags.
        int opB = transB ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        int opA = transA ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
        Pointer alphaP = Pointer.to(new float[] {alpha});
        Pointer betaP = Pointer.to(new float[] {beta});
        synchronized (blasLock) {
            Cuda.checkBlas(JCublas2.cublasSetStream(blas, s.runtime()), "cublasSetStream");
            Cuda.checkBlas(JCublas2.cublasSgemm(blas, opB, opA, n, m, k, alphaP, bb.at(bOffset), ldb,
                    ab.at(aOffset), lda, betaP, cb.at(cOffset), ldc), "cublasSgemm (m=" + m + ", n=" + n + ", k="
                            + k + ")");
        }
    }

    @Override
    public void addBias(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer bias, int biasOffset,
            DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer bb = live(bias, "bias");
        long span = Checks.matrixAndRow(x, xOffset, rows, cols, bias, biasOffset, "bias");
        launch(kernels.addBias, "rs_add_bias", span, stream(stream), Pointer.to(xb.at(xOffset)),
                Pointer.to(bb.at(biasOffset)), intArg(rows), intArg(cols));
    }

    @Override
    public void relu(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count, DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer yb = live(y, "y");
        Checks.elementwise(x, xOffset, "x", y, yOffset, "y", count);
        launch(kernels.relu, "rs_relu", count, stream(stream), Pointer.to(xb.at(xOffset)),
                Pointer.to(yb.at(yOffset)), intArg(count));
    }

    @Override
    public void reluBackward(DeviceBuffer activation, int activationOffset, DeviceBuffer grad, int gradOffset,
            int count, DeviceStream stream) {
        CudaBuffer ab = live(activation, "activation");
        CudaBuffer gb = live(grad, "grad");
        Checks.elementwise(activation, activationOffset, "activation", grad, gradOffset, "grad", count);
        launch(kernels.reluBackward, "rs_relu_backward", count, stream(stream), Pointer.to(ab.at(activationOffset)),
                Pointer.to(gb.at(gradOffset)), intArg(count));
    }

    @Override
    public void softmaxCrossEntropy(DeviceBuffer logits, int logitsOffset, int rows, int cols, DeviceBuffer labels,
            int labelsOffset, float gradScale, DeviceBuffer grad, int gradOffset, DeviceBuffer loss, int lossOffset,
            DeviceStream stream) {
        CudaBuffer xb = live(logits, "logits");
        CudaBuffer lb = live(labels, "labels");
        CudaBuffer gb = live(grad, "grad");
        CudaBuffer sb = live(loss, "loss");
        Checks.softmax(logits, logitsOffset, rows, cols, labels, labelsOffset, grad, gradOffset, loss, lossOffset);
        launch(kernels.softmaxXent, "rs_softmax_xent", rows, stream(stream), Pointer.to(xb.at(logitsOffset)),
                Pointer.to(lb.at(labelsOffset)), Pointer.to(gb.at(gradOffset)), Pointer.to(sb.at(lossOffset)),
                intArg(rows), intArg(cols), floatArg(gradScale));
    }

    @Override
    public void columnSums(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer out, int outOffset,
            DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer ob = live(out, "out");
        Checks.matrixAndRow(x, xOffset, rows, cols, out, outOffset, "out");
        launch(kernels.columnSums, "rs_column_sums", cols, stream(stream), Pointer.to(xb.at(xOffset)),
                Pointer.to(ob.at(outOffset)), intArg(rows), intArg(cols));
    }

    // ------------------------------------------------------------------------------------------- convolution

    @Override
    public void im2col(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int kernel,
            int pad, DeviceBuffer col, int colOffset, DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer cb = live(col, "col");
        Checks.conv(x, xOffset, images, height, width, channels, kernel, pad, col, colOffset, "im2col");
        int oh = ConvKernels.convOut(height, kernel, pad);
        int ow = ConvKernels.convOut(width, kernel, pad);
        launch(kernels.im2col, "rs_im2col", (long) images * oh * ow * kernel * kernel * channels, stream(stream),
                Pointer.to(xb.at(xOffset)), Pointer.to(cb.at(colOffset)), intArg(images), intArg(height),
                intArg(width), intArg(channels), intArg(kernel), intArg(pad), intArg(oh), intArg(ow));
    }

    @Override
    public void col2im(DeviceBuffer col, int colOffset, int images, int height, int width, int channels, int kernel,
            int pad, DeviceBuffer x, int xOffset, DeviceStream stream) {
        CudaBuffer cb = live(col, "col");
        CudaBuffer xb = live(x, "x");
        Checks.conv(x, xOffset, images, height, width, channels, kernel, pad, col, colOffset, "col2im");
        int oh = ConvKernels.convOut(height, kernel, pad);
        int ow = ConvKernels.convOut(width, kernel, pad);
        launch(kernels.col2im, "rs_col2im", (long) images * height * width * channels, stream(stream),
                Pointer.to(cb.at(colOffset)), Pointer.to(xb.at(xOffset)), intArg(images), intArg(height),
                intArg(width), intArg(channels), intArg(kernel), intArg(pad), intArg(oh), intArg(ow));
    }

    @Override
    public void maxPool(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int size,
            DeviceBuffer y, int yOffset, DeviceBuffer argmax, int argmaxOffset, DeviceStream stream) {
        CudaBuffer xb = live(x, "x");
        CudaBuffer yb = live(y, "y");
        CudaBuffer ab = live(argmax, "argmax");
        Checks.pool(x, xOffset, images, height, width, channels, size, y, yOffset, argmax, argmaxOffset, "maxPool");
        int oh = height / size;
        int ow = width / size;
        launch(kernels.maxPool, "rs_max_pool", (long) images * oh * ow * channels, stream(stream),
                Pointer.to(xb.at(xOffset)), Pointer.to(yb.at(yOffset)), Pointer.to(ab.at(argmaxOffset)),
                intArg(images), intArg(height), intArg(width), intArg(channels), intArg(size), intArg(oh),
                intArg(ow));
    }

    @Override
    public void maxPoolBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer argmax, int argmaxOffset, int images,
            int height, int width, int channels, int size, DeviceBuffer dx, int dxOffset, DeviceStream stream) {
        CudaBuffer yb = live(dy, "dy");
        CudaBuffer ab = live(argmax, "argmax");
        CudaBuffer xb = live(dx, "dx");
        Checks.pool(dx, dxOffset, images, height, width, channels, size, dy, dyOffset, argmax, argmaxOffset,
                "maxPoolBackward");
        launch(kernels.maxPoolBackward, "rs_max_pool_backward", (long) images * height * width * channels,
                stream(stream), Pointer.to(yb.at(dyOffset)), Pointer.to(ab.at(argmaxOffset)),
                Pointer.to(xb.at(dxOffset)), intArg(images), intArg(height), intArg(width), intArg(channels),
                intArg(size), intArg(height / size), intArg(width / size));
    }

    // ------------------------------------------------------------------------------------------- optimizer

    @Override
    public void sgdStep(DeviceBuffer params, int paramsOffset, DeviceBuffer grad, int gradOffset,
            DeviceBuffer velocity, int velocityOffset, int count, float lr, float momentum, float weightDecay,
            boolean nesterov, DeviceStream stream) {
        CudaBuffer wb = live(params, "params");
        CudaBuffer gb = live(grad, "grad");
        CudaBuffer vb = momentum == 0f || velocity == null ? null : live(velocity, "velocity");
        boolean useVelocity = Checks.sgd(params, paramsOffset, grad, gradOffset, velocity, velocityOffset, count,
                momentum);
        int mode = !useVelocity ? 0 : nesterov ? 2 : 1;
        // Plain SGD never reads v: the parameters' own pointer stands in for it.
        Pointer v = useVelocity ? vb.at(velocityOffset) : wb.at(paramsOffset);
        launch(kernels.sgd, "rs_sgd", count, stream(stream), Pointer.to(wb.at(paramsOffset)),
                Pointer.to(gb.at(gradOffset)), Pointer.to(v), intArg(count), floatArg(lr), floatArg(momentum),
                floatArg(weightDecay), intArg(mode));
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        bind();
        JCuda.cudaDeviceSynchronize();
        kernels.close();
        JCublas2.cublasDestroy(blas);
        JCudaDriver.cuDevicePrimaryCtxRelease(cuDevice);
    }
}

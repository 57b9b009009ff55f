package io.ringsgd.gpu;

import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@link Device} in plain Java: buffers are float arrays, kernels are loops. It is the fallback where no GPU works
 * and the reference every CUDA operation is tested against.
 *
 * <p>{@link #create()} runs every operation on the calling thread when it is enqueued (streams and events are then
 * trivially satisfied). {@link #asynchronous()} gives each stream a worker thread, so enqueueing returns at once and
 * only events order two streams, as on a GPU: the device AllReduce is tested on both, which checks its
 * synchronization and not just its arithmetic.
 */
public final class HostDevice implements Device {
    private static final AtomicInteger STREAM_IDS = new AtomicInteger();

    private final boolean asynchronous;
    private final HostStream defaultStream;
    private final Set<HostStream> streams = ConcurrentHashMap.newKeySet();

    private HostDevice(boolean asynchronous) {
        this.asynchronous = asynchronous;
        this.defaultStream = new HostStream(this, asynchronous, true, "ringsgd-host-default-stream-"
                + STREAM_IDS.incrementAndGet());
    }

    /** A host device whose operations run synchronously on the calling thread. */
    public static HostDevice create() {
        return new HostDevice(false);
    }

    /** A host device whose streams run their operations on worker threads, in order, like GPU streams. */
    public static HostDevice asynchronous() {
        return new HostDevice(true);
    }

    /** True when streams run on worker threads. */
    public boolean isAsynchronous() {
        return asynchronous;
    }

    @Override
    public DeviceKind kind() {
        return DeviceKind.HOST;
    }

    @Override
    public String name() {
        return "host (Java, " + Runtime.getRuntime().availableProcessors() + " cores" + (asynchronous
                ? ", asynchronous streams)" : ")");
    }

    @Override
    public String toString() {
        return name();
    }

    // ------------------------------------------------------------------------------------------- memory

    @Override
    public DeviceBuffer allocate(int count) {
        Checks.count(count, "the number of floats to allocate");
        return new HostBuffer(this, count);
    }

    @Override
    public PinnedBuffer allocatePinned(int bytes) {
        Checks.pinnedSize(bytes);
        return new HostPinnedBuffer(bytes);
    }

    // ------------------------------------------------------------------------------------------- ordering

    @Override
    public DeviceStream createStream() {
        HostStream s = new HostStream(this, asynchronous, false, "ringsgd-host-stream-"
                + STREAM_IDS.incrementAndGet());
        streams.add(s);
        return s;
    }

    void forget(HostStream s) {
        streams.remove(s);
    }

    @Override
    public DeviceStream defaultStream() {
        return defaultStream;
    }

    @Override
    public DeviceEvent createEvent() {
        return new HostEvent(this);
    }

    @Override
    public void synchronize() {
        defaultStream.synchronize();
        for (HostStream s : streams) {
            s.synchronize();
        }
    }

    /** {@code s} as one of this device's streams (null: the default stream). */
    HostStream stream(DeviceStream s) {
        if (s == null) {
            return defaultStream;
        }
        if (!(s instanceof HostStream) || ((HostStream) s).owner() != this) {
            throw new IllegalArgumentException("the stream belongs to " + s.device().name() + ", not to this "
                    + name() + ": use a stream created by the device that runs the operation");
        }
        if (((HostStream) s).isClosed()) {
            throw new IllegalStateException("the stream was closed");
        }
        return (HostStream) s;
    }

    HostEvent event(DeviceEvent e) {
        if (e == null) {
            throw new IllegalArgumentException("event is null");
        }
        if (!(e instanceof HostEvent) || ((HostEvent) e).owner() != this) {
            throw new IllegalArgumentException("the event belongs to another device: use an event created by "
                    + name());
        }
        return (HostEvent) e;
    }

    /** The array behind {@code b}, which must be a live buffer of this device. */
    private float[] data(DeviceBuffer b, String name) {
        if (b == null) {
            throw new IllegalArgumentException(name + " is null: pass a buffer allocated by this device");
        }
        if (!(b instanceof HostBuffer) || ((HostBuffer) b).owner() != this) {
            throw new IllegalArgumentException(name + " belongs to " + b.device().name() + ", not to this "
                    + name() + ": copy it through the host first");
        }
        float[] d = ((HostBuffer) b).data();
        if (d == null) {
            throw new IllegalStateException(name + " (a device buffer of " + b.count() + " floats) was freed:"
                    + " allocate a new one");
        }
        return d;
    }

    /** Runs or enqueues {@code op}; the copies and reductions of the AllReduce path inline this to avoid a lambda. */
    private void run(HostStream s, Runnable op) {
        if (s.inline()) {
            op.run();
        } else {
            s.submit(op);
        }
    }

    // ------------------------------------------------------------------------------------------- copies

    @Override
    public void copyFromHost(float[] src, int srcOffset, DeviceBuffer dst, int dstOffset, int count) {
        float[] d = data(dst, "dst");
        Checks.upload(src, srcOffset, dst, dstOffset, count);
        synchronize();
        System.arraycopy(src, srcOffset, d, dstOffset, count);
    }

    @Override
    public void copyToHost(DeviceBuffer src, int srcOffset, float[] dst, int dstOffset, int count) {
        float[] s = data(src, "src");
        Checks.download(src, srcOffset, dst, dstOffset, count);
        synchronize();
        System.arraycopy(s, srcOffset, dst, dstOffset, count);
    }

    @Override
    public void copyFromHost(ByteBuffer src, int srcByteOffset, DeviceBuffer dst, int dstOffset, int count,
            DeviceStream stream) {
        float[] d = data(dst, "dst");
        Checks.upload(src, srcByteOffset, dst, dstOffset, count);
        HostStream s = stream(stream);
        if (s.inline()) {
            HostKernels.fromBytes(src, srcByteOffset, d, dstOffset, count);
        } else {
            s.submit(() -> HostKernels.fromBytes(src, srcByteOffset, d, dstOffset, count));
        }
    }

    @Override
    public void copyToHost(DeviceBuffer src, int srcOffset, ByteBuffer dst, int dstByteOffset, int count,
            DeviceStream stream) {
        float[] s = data(src, "src");
        Checks.download(src, srcOffset, dst, dstByteOffset, count);
        HostStream st = stream(stream);
        if (st.inline()) {
            HostKernels.toBytes(s, srcOffset, dst, dstByteOffset, count);
        } else {
            st.submit(() -> HostKernels.toBytes(s, srcOffset, dst, dstByteOffset, count));
        }
    }

    @Override
    public void copy(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count,
            DeviceStream stream) {
        float[] s = data(src, "src");
        float[] d = data(dst, "dst");
        Checks.copy(src, srcOffset, dst, dstOffset, count);
        HostStream st = stream(stream);
        if (st.inline()) {
            System.arraycopy(s, srcOffset, d, dstOffset, count);
        } else {
            st.submit(() -> System.arraycopy(s, srcOffset, d, dstOffset, count));
        }
    }

    // ------------------------------------------------------------------------------------------- element-wise

    @Override
    public void fill(DeviceBuffer buf, int offset, int count, float value, DeviceStream stream) {
        float[] x = data(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        HostStream s = stream(stream);
        if (s.inline()) {
            HostKernels.fill(x, offset, count, value);
        } else {
            s.submit(() -> HostKernels.fill(x, offset, count, value));
        }
    }

    @Override
    public void zero(DeviceBuffer buf, int offset, int count, DeviceStream stream) {
        fill(buf, offset, count, 0f, stream);
    }

    @Override
    public void scale(DeviceBuffer buf, int offset, int count, float alpha, DeviceStream stream) {
        float[] x = data(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        HostStream s = stream(stream);
        if (s.inline()) {
            HostKernels.scale(x, offset, count, alpha);
        } else {
            s.submit(() -> HostKernels.scale(x, offset, count, alpha));
        }
    }

    @Override
    public void divide(DeviceBuffer buf, int offset, int count, float divisor, DeviceStream stream) {
        float[] x = data(buf, "buf");
        Checks.range(buf, offset, count, "buf");
        HostStream s = stream(stream);
        if (s.inline()) {
            HostKernels.divide(x, offset, count, divisor);
        } else {
            s.submit(() -> HostKernels.divide(x, offset, count, divisor));
        }
    }

    @Override
    public void axpy(float alpha, DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count,
            DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] ys = data(y, "y");
        Checks.elementwise(x, xOffset, "x", y, yOffset, "y", count);
        run(stream(stream), () -> HostKernels.axpy(alpha, xs, xOffset, ys, yOffset, count));
    }

    @Override
    public void reduce(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count, ReduceOp op,
            DeviceStream stream) {
        int code = Checks.reduceCode(op);
        float[] s = data(src, "src");
        float[] d = data(dst, "dst");
        Checks.elementwise(src, srcOffset, "src", dst, dstOffset, "dst", count);
        HostStream st = stream(stream);
        if (st.inline()) {
            HostKernels.reduce(s, srcOffset, d, dstOffset, count, code);
        } else {
            st.submit(() -> HostKernels.reduce(s, srcOffset, d, dstOffset, count, code));
        }
    }

    // ------------------------------------------------------------------------------------------- MLP math

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, DeviceBuffer a, int aOffset,
            int lda, DeviceBuffer b, int bOffset, int ldb, float beta, DeviceBuffer c, int cOffset, int ldc,
            DeviceStream stream) {
        float[] as = data(a, "A");
        float[] bs = data(b, "B");
        float[] cs = data(c, "C");
        Checks.gemm(transA, transB, m, n, k, a, aOffset, lda, b, bOffset, ldb, c, cOffset, ldc);
        run(stream(stream), () -> HostKernels.gemm(transA, transB, m, n, k, alpha, as, aOffset, lda, bs, bOffset,
                ldb, beta, cs, cOffset, ldc));
    }

    @Override
    public void addBias(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer bias, int biasOffset,
            DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] bs = data(bias, "bias");
        Checks.matrixAndRow(x, xOffset, rows, cols, bias, biasOffset, "bias");
        run(stream(stream), () -> HostKernels.addBias(xs, xOffset, rows, cols, bs, biasOffset));
    }

    @Override
    public void relu(DeviceBuffer x, int xOffset, DeviceBuffer y, int yOffset, int count, DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] ys = data(y, "y");
        Checks.elementwise(x, xOffset, "x", y, yOffset, "y", count);
        run(stream(stream), () -> HostKernels.relu(xs, xOffset, ys, yOffset, count));
    }

    @Override
    public void reluBackward(DeviceBuffer activation, int activationOffset, DeviceBuffer grad, int gradOffset,
            int count, DeviceStream stream) {
        float[] as = data(activation, "activation");
        float[] gs = data(grad, "grad");
        Checks.elementwise(activation, activationOffset, "activation", grad, gradOffset, "grad", count);
        run(stream(stream), () -> HostKernels.reluBackward(as, activationOffset, gs, gradOffset, count));
    }

    @Override
    public void softmaxCrossEntropy(DeviceBuffer logits, int logitsOffset, int rows, int cols, DeviceBuffer labels,
            int labelsOffset, float gradScale, DeviceBuffer grad, int gradOffset, DeviceBuffer loss, int lossOffset,
            DeviceStream stream) {
        float[] xs = data(logits, "logits");
        float[] ls = data(labels, "labels");
        float[] gs = data(grad, "grad");
        float[] lo = data(loss, "loss");
        Checks.softmax(logits, logitsOffset, rows, cols, labels, labelsOffset, grad, gradOffset, loss,
                lossOffset);
        run(stream(stream), () -> HostKernels.softmaxCrossEntropy(xs, logitsOffset, rows, cols, ls, labelsOffset,
                gradScale, gs, gradOffset, lo, lossOffset));
    }

    @Override
    public void columnSums(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer out, int outOffset,
            DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] os = data(out, "out");
        Checks.matrixAndRow(x, xOffset, rows, cols, out, outOffset, "out");
        run(stream(stream), () -> HostKernels.columnSums(xs, xOffset, rows, cols, os, outOffset));
    }

    // ------------------------------------------------------------------------------------------- convolution

    @Override
    public void im2col(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int kernel,
            int pad, DeviceBuffer col, int colOffset, DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] cs = data(col, "col");
        Checks.conv(x, xOffset, images, height, width, channels, kernel, pad, col, colOffset, "im2col");
        run(stream(stream), () -> ConvKernels.im2col(xs, xOffset, images, height, width, channels, kernel, pad, cs,
                colOffset));
    }

    @Override
    public void col2im(DeviceBuffer col, int colOffset, int images, int height, int width, int channels, int kernel,
            int pad, DeviceBuffer x, int xOffset, DeviceStream stream) {
        float[] cs = data(col, "col");
        float[] xs = data(x, "x");
        Checks.conv(x, xOffset, images, height, width, channels, kernel, pad, col, colOffset, "col2im");
        run(stream(stream), () -> ConvKernels.col2im(cs, colOffset, images, height, width, channels, kernel, pad, xs,
                xOffset));
    }

    @Override
    public void maxPool(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int size,
            DeviceBuffer y, int yOffset, DeviceBuffer argmax, int argmaxOffset, DeviceStream stream) {
        float[] xs = data(x, "x");
        float[] ys = data(y, "y");
        float[] as = data(argmax, "argmax");
        Checks.pool(x, xOffset, images, height, width, channels, size, y, yOffset, argmax, argmaxOffset, "maxPool");
        run(stream(stream), () -> ConvKernels.maxPoolWindow(xs, xOffset, images, height, width, channels, size, ys,
                yOffset, as, argmaxOffset));
    }

    @Override
    public void maxPoolBackward(DeviceBuffer dy, int dyOffset, DeviceBuffer argmax, int argmaxOffset, int images,
            int height, int width, int channels, int size, DeviceBuffer dx, int dxOffset, DeviceStream stream) {
        float[] ys = data(dy, "dy");
        float[] as = data(argmax, "argmax");
        float[] xs = data(dx, "dx");
        Checks.pool(dx, dxOffset, images, height, width, channels, size, dy, dyOffset, argmax, argmaxOffset,
                "maxPoolBackward");
        run(stream(stream), () -> ConvKernels.maxPoolBackwardWindow(ys, dyOffset, as, argmaxOffset, images, height,
                width, channels, size, xs, dxOffset));
    }

    // ------------------------------------------------------------------------------------------- optimizer

    @Override
    public void sgdStep(DeviceBuffer params, int paramsOffset, DeviceBuffer grad, int gradOffset,
            DeviceBuffer velocity, int velocityOffset, int count, float lr, float momentum, float weightDecay,
            boolean nesterov, DeviceStream stream) {
        float[] ws = data(params, "params");
        float[] gs = data(grad, "grad");
        float[] vs = momentum == 0f || velocity == null ? null : data(velocity, "velocity");
        Checks.sgd(params, paramsOffset, grad, gradOffset, velocity, velocityOffset, count, momentum);
        run(stream(stream), () -> SgdKernel.step(ws, paramsOffset, gs, gradOffset, vs, velocityOffset, count, lr,
                momentum, weightDecay, nesterov));
    }

    @Override
    public void close() {
        synchronize();
        for (HostStream s : streams) {
            s.close();
        }
        defaultStream.stop();
    }
}

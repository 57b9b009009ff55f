package io.ringsgd.gpu;

import io.ringsgd.collectives.ReduceOp;
import java.nio.ByteBuffer;

/**
 * Argument checks shared by every {@link Device}, so that both implementations reject the same calls with the same
 * messages before anything is enqueued.
 */
final class Checks {
    private Checks() {
    }

    static void count(int count, String what) {
        if (count < 0) {
            throw new IllegalArgumentException(what + " must be >= 0, got " + count);
        }
    }

    /** {@code [off, off+n)} lies inside {@code b} (already known to be a live buffer of the device). */
    static void range(DeviceBuffer b, int off, int n, String name) {
        if (n < 0) {
            throw new IllegalArgumentException(name + ": count must be >= 0, got " + n);
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + ": offset must be >= 0, got " + off);
        }
        if ((long) off + n > b.count()) {
            throw new IllegalArgumentException(name + ": offset " + off + " + count " + n
                    + " is past the end of a device buffer of " + b.count() + " floats");
        }
    }

    static void array(float[] a, int off, int n, String name) {
        if (a == null) {
            throw new IllegalArgumentException(name + " is null: pass a float[]");
        }
        if (n < 0) {
            throw new IllegalArgumentException(name + ": count must be >= 0, got " + n);
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + ": offset must be >= 0, got " + off);
        }
        if ((long) off + n > a.length) {
            throw new IllegalArgumentException(name + ": offset " + off + " + count " + n
                    + " is past the end of a float[" + a.length + "]");
        }
    }

    /** A direct host buffer holding {@code n} floats from byte {@code byteOff}; {@code write}: it is a destination. */
    static void bytes(ByteBuffer bb, int byteOff, int n, boolean write, String name) {
        if (bb == null) {
            throw new IllegalArgumentException(name + " is null: pass a direct or pinned ByteBuffer");
        }
        if (!bb.isDirect()) {
            throw new IllegalArgumentException(name + " is a heap ByteBuffer: asynchronous device copies need a direct"
                    + " buffer (Device.allocatePinned for overlap); copy heap data with the float[] overloads");
        }
        if (write && bb.isReadOnly()) {
            throw new IllegalArgumentException(name + " is read-only but the copy writes into it");
        }
        if (n < 0) {
            throw new IllegalArgumentException(name + ": count must be >= 0, got " + n);
        }
        if (byteOff < 0) {
            throw new IllegalArgumentException(name + ": byte offset must be >= 0, got " + byteOff);
        }
        if (byteOff + 4L * n > bb.capacity()) {
            throw new IllegalArgumentException(name + ": byte offset " + byteOff + " + " + n + " floats ("
                    + 4L * n + " bytes) is past the end of a ByteBuffer of capacity " + bb.capacity());
        }
    }

    /**
     * A rows×cols row-major matrix with leading dimension {@code ld} at {@code off} fits in {@code b}; returns the
     * number of elements it spans (0 for an empty matrix).
     */
    static long matrix(DeviceBuffer b, int off, int rows, int cols, int ld, String name) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(name + ": dimensions must be >= 0, got " + rows + "x" + cols);
        }
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(name + ": leading dimension " + ld + " is smaller than its " + cols
                    + " columns (row-major: ld is the distance between rows, at least the number of columns)");
        }
        if (off < 0) {
            throw new IllegalArgumentException(name + ": offset must be >= 0, got " + off);
        }
        long span = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        if (off + span > b.count()) {
            throw new IllegalArgumentException(name + ": a " + rows + "x" + cols + " matrix with leading dimension "
                    + ld + " at offset " + off + " needs " + (off + span) + " floats but the buffer holds "
                    + b.count());
        }
        return span;
    }

    /**
     * An element-wise op from {@code count} elements of {@code a} to as many of {@code b}: both ranges inside their
     * buffers, and either the same range (in place) or disjoint.
     */
    static void elementwise(DeviceBuffer a, int aOff, String aName, DeviceBuffer b, int bOff, String bName,
            int count) {
        range(a, aOff, count, aName);
        range(b, bOff, count, bName);
        disjoint(a, aOff, count, aName, b, bOff, count, bName, true);
    }

    /** {@code count} floats from a host array into a device buffer. */
    static void upload(float[] src, int srcOffset, DeviceBuffer dst, int dstOffset, int count) {
        array(src, srcOffset, count, "src");
        range(dst, dstOffset, count, "dst");
    }

    /** {@code count} floats from a device buffer into a host array. */
    static void download(DeviceBuffer src, int srcOffset, float[] dst, int dstOffset, int count) {
        range(src, srcOffset, count, "src");
        array(dst, dstOffset, count, "dst");
    }

    /** {@code count} little-endian floats from a byte buffer into a device buffer. */
    static void upload(ByteBuffer src, int srcByteOffset, DeviceBuffer dst, int dstOffset, int count) {
        bytes(src, srcByteOffset, count, false, "src");
        range(dst, dstOffset, count, "dst");
    }

    /** {@code count} floats from a device buffer into a byte buffer, little-endian. */
    static void download(DeviceBuffer src, int srcOffset, ByteBuffer dst, int dstByteOffset, int count) {
        range(src, srcOffset, count, "src");
        bytes(dst, dstByteOffset, count, true, "dst");
    }

    /** A copy between device ranges: both inside their buffers and not overlapping. */
    static void copy(DeviceBuffer src, int srcOffset, DeviceBuffer dst, int dstOffset, int count) {
        range(src, srcOffset, count, "src");
        range(dst, dstOffset, count, "dst");
        disjoint(src, srcOffset, count, "src", dst, dstOffset, count, "dst", false);
    }

    /** C (m×n) = op(A)·op(B) + C: every matrix inside its buffer, C apart from A and B. */
    static void gemm(boolean transA, boolean transB, int m, int n, int k, DeviceBuffer a, int aOffset, int lda,
            DeviceBuffer b, int bOffset, int ldb, DeviceBuffer c, int cOffset, int ldc) {
        long aSpan = matrix(a, aOffset, transA ? k : m, transA ? m : k, lda, "A");
        long bSpan = matrix(b, bOffset, transB ? n : k, transB ? k : n, ldb, "B");
        long cSpan = matrix(c, cOffset, m, n, ldc, "C");
        disjoint(a, aOffset, aSpan, "A", c, cOffset, cSpan, "C", false);
        disjoint(b, bOffset, bSpan, "B", c, cOffset, cSpan, "C", false);
    }

    /**
     * A dense row-major matrix {@code x} (rows × cols) and a row vector {@code v} of cols floats (a bias added to
     * every row, or the column sums written out): both inside their buffers and apart. Returns the matrix's span.
     */
    static long matrixAndRow(DeviceBuffer x, int xOffset, int rows, int cols, DeviceBuffer v, int vOffset,
            String vName) {
        long span = matrix(x, xOffset, rows, cols, Math.max(1, cols), "x");
        range(v, vOffset, cols, vName);
        disjoint(x, xOffset, span, "x", v, vOffset, cols, vName, false);
        return span;
    }

    /** Rejects two ranges of the same buffer that overlap, unless {@code sameOk} and they are the same range. */
    static void disjoint(DeviceBuffer a, int aOff, long aLen, String aName, DeviceBuffer b, int bOff, long bLen,
            String bName, boolean sameOk) {
        if (a != b || aLen == 0 || bLen == 0) {
            return;
        }
        if (sameOk && aOff == bOff && aLen == bLen) {
            return;
        }
        if (aOff < bOff + bLen && bOff < aOff + aLen) {
            throw new IllegalArgumentException(aName + " [" + aOff + ", " + (aOff + aLen) + ") overlaps " + bName
                    + " [" + bOff + ", " + (bOff + bLen) + ") in the same buffer" + (sameOk
                            ? ": use exactly the same range (in place) or separate ranges"
                            : ": use separate ranges"));
        }
    }

    /** The element-wise op code kernels use: SUM 0, PROD 1, MIN 2, MAX 3. */
    static int reduceCode(ReduceOp op) {
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass SUM, PROD, MIN or MAX");
        }
        switch (op) {
            case SUM:
                return 0;
            case PROD:
                return 1;
            case MIN:
                return 2;
            case MAX:
                return 3;
            default:
                throw new IllegalArgumentException(op + " is not an element-wise reduction: AVG is SUM followed by"
                        + " Device.divide by the group size (DeviceAllreduce does that for you)");
        }
    }

    static void pinnedSize(int bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("pinned buffer size must be >= 0 bytes, got " + bytes);
        }
    }

    /**
     * The buffer arguments of {@link Device#sgdStep} (already known to be live buffers of the device, velocity only
     * when {@code momentum != 0}); returns whether the step uses the velocity.
     */
    static boolean sgd(DeviceBuffer params, int paramsOffset, DeviceBuffer grad, int gradOffset,
            DeviceBuffer velocity, int velocityOffset, int count, float momentum) {
        range(params, paramsOffset, count, "params");
        range(grad, gradOffset, count, "grad");
        disjoint(params, paramsOffset, count, "params", grad, gradOffset, count, "grad", false);
        if (momentum == 0f) {
            return false;
        }
        if (velocity == null) {
            throw new IllegalArgumentException("velocity is null but momentum is " + momentum + ": pass the momentum"
                    + " buffer (or momentum 0 for plain SGD)");
        }
        range(velocity, velocityOffset, count, "velocity");
        disjoint(params, paramsOffset, count, "params", velocity, velocityOffset, count, "velocity", false);
        disjoint(grad, gradOffset, count, "grad", velocity, velocityOffset, count, "velocity", false);
        return true;
    }

    /** The arguments of {@link Device#softmaxCrossEntropy}. */
    static void softmax(DeviceBuffer logits, int logitsOffset, int rows, int cols, DeviceBuffer labels,
            int labelsOffset, DeviceBuffer grad, int gradOffset, DeviceBuffer loss, int lossOffset) {
        long span = matrix(logits, logitsOffset, rows, cols, Math.max(1, cols), "logits");
        matrix(grad, gradOffset, rows, cols, Math.max(1, cols), "grad");
        range(labels, labelsOffset, rows, "labels");
        range(loss, lossOffset, rows, "loss");
        disjoint(logits, logitsOffset, span, "logits", grad, gradOffset, span, "grad", true);
        disjoint(labels, labelsOffset, rows, "labels", grad, gradOffset, span, "grad", false);
        disjoint(labels, labelsOffset, rows, "labels", loss, lossOffset, rows, "loss", false);
        disjoint(logits, logitsOffset, span, "logits", loss, lossOffset, rows, "loss", false);
        disjoint(grad, gradOffset, span, "grad", loss, lossOffset, rows, "loss", false);
    }

    /**
     * The shape of a batch of NHWC images for a convolution or a pooling: every size positive except the image
     * count (0 is allowed), and the element count of an image batch within an int. Returns that element count.
     */
    private static long images(int images, int height, int width, int channels, String op) {
        if (images < 0) {
            throw new IllegalArgumentException(op + ": images must be >= 0, got " + images);
        }
        if (height < 1 || width < 1 || channels < 1) {
            throw new IllegalArgumentException(op + ": height, width and channels must be >= 1, got " + height + "x"
                    + width + "x" + channels);
        }
        long n = (long) images * height * width * channels;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": " + images + " images of " + height + "x" + width + "x"
                    + channels + " are more than 2^31 floats: use fewer images per call");
        }
        return n;
    }

    /**
     * The arguments of {@link Device#im2col} and {@link Device#col2im}: returns the floats of the column matrix
     * (the images' count is checked too); both ranges inside their buffers and apart.
     */
    static void conv(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int kernel,
            int pad, DeviceBuffer col, int colOffset, String op) {
        long in = images(images, height, width, channels, op);
        if (kernel < 1 || pad < 0 || pad >= kernel) {
            throw new IllegalArgumentException(op + ": need kernel >= 1 and 0 <= pad < kernel, got kernel " + kernel
                    + ", pad " + pad);
        }
        long oh = (long) height + 2L * pad - kernel + 1;
        long ow = (long) width + 2L * pad - kernel + 1;
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": a " + kernel + "x" + kernel + " kernel with padding " + pad
                    + " does not fit a " + height + "x" + width + " image");
        }
        long cols = (long) images * oh * ow * kernel * kernel * channels;
        if (cols > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(op + ": the column matrix of " + images + " images would hold " + cols
                    + " floats, more than 2^31: use fewer images per call");
        }
        range(x, xOffset, (int) in, "x");
        range(col, colOffset, (int) cols, "col");
        disjoint(x, xOffset, in, "x", col, colOffset, cols, "col", false);
    }

    /** The arguments of {@link Device#maxPool} and {@link Device#maxPoolBackward} (x and y: input and output). */
    static void pool(DeviceBuffer x, int xOffset, int images, int height, int width, int channels, int size,
            DeviceBuffer y, int yOffset, DeviceBuffer argmax, int argmaxOffset, String op) {
        long in = images(images, height, width, channels, op);
        if (size < 1 || size > height || size > width) {
            throw new IllegalArgumentException(op + ": the window size must be between 1 and the image's sides ("
                    + height + "x" + width + "), got " + size);
        }
        long out = (long) images * (height / size) * (width / size) * channels;
        range(x, xOffset, (int) in, "x");
        range(y, yOffset, (int) out, "y");
        range(argmax, argmaxOffset, (int) out, "argmax");
        disjoint(x, xOffset, in, "x", y, yOffset, out, "y", false);
        disjoint(x, xOffset, in, "x", argmax, argmaxOffset, out, "argmax", false);
        disjoint(y, yOffset, out, "y", argmax, argmaxOffset, out, "argmax", false);
    }
}

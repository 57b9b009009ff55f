package io.ringsgd.collectives;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Objects;

/**
 * A run of elements a collective reads or writes: a slice of a {@code float[]} / {@code double[]}, of a
 * {@link FloatBuffer} / {@link DoubleBuffer} (heap or direct), or of a little-endian {@link ByteBuffer}. It is the
 * one buffer type the algorithms and transports see; the user-facing overloads of {@link Communicator} wrap their
 * arguments in one. Indices passed to the kernels are relative to the start of the slice.
 *
 * <p>Array-backed slices (including heap NIO buffers) are reduced with vectorizable array loops; direct buffers are
 * staged through small per-thread arrays. Nothing here allocates after the first call on a thread. An ElementBuffer
 * is a view: it holds no data of its own, is immutable, and may be shared between threads as long as they do not
 * write the same elements at once. Read-only NIO buffers give read-only slices ({@link #isWritable()} false), which
 * the collectives only read.
 */
public final class ElementBuffer {
    private static final ElementBuffer EMPTY_FLOAT = new ElementBuffer(ElementType.FLOAT, 0, new float[0], null, 0,
            null, null, null, true);

    private final ElementType type;
    private final int count;
    private final float[] floats;
    private final double[] doubles;
    /** Array offset for array-backed slices, index of element 0 in the view for NIO-backed ones. */
    private final int base;
    private final FloatBuffer floatView;
    private final DoubleBuffer doubleView;
    /** Little-endian bytes of the slice (position 0 is element 0) when it was made from a ByteBuffer. */
    private final ByteBuffer bytes;
    private final boolean writable;

    private ElementBuffer(ElementType type, int count, float[] floats, double[] doubles, int base, FloatBuffer fv,
            DoubleBuffer dv, ByteBuffer bytes, boolean writable) {
        this.type = type;
        this.count = count;
        this.floats = floats;
        this.doubles = doubles;
        this.base = base;
        this.floatView = fv;
        this.doubleView = dv;
        this.bytes = bytes;
        this.writable = writable;
    }

    // ------------------------------------------------------------------ factories

    /** The whole array. */
    public static ElementBuffer of(float[] array) {
        return of(array, 0, array == null ? 0 : array.length);
    }

    /** {@code count} elements of {@code array} from {@code offset}. */
    public static ElementBuffer of(float[] array, int offset, int count) {
        checkRange("float array", array == null ? -1 : array.length, offset, count);
        return new ElementBuffer(ElementType.FLOAT, count, array, null, offset, null, null, null, true);
    }

    /** The whole array. */
    public static ElementBuffer of(double[] array) {
        return of(array, 0, array == null ? 0 : array.length);
    }

    /** {@code count} elements of {@code array} from {@code offset}. */
    public static ElementBuffer of(double[] array, int offset, int count) {
        checkRange("double array", array == null ? -1 : array.length, offset, count);
        return new ElementBuffer(ElementType.DOUBLE, count, null, array, offset, null, null, null, true);
    }

    /** The buffer's remaining elements, from its position to its limit (the position is not moved). */
    public static ElementBuffer of(FloatBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass a FloatBuffer");
        }
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /** {@code count} elements of {@code buffer} from absolute index {@code index}. */
    public static ElementBuffer of(FloatBuffer buffer, int index, int count) {
        checkRange("FloatBuffer", buffer == null ? -1 : buffer.capacity(), index, count);
        if (buffer.hasArray()) {
            return new ElementBuffer(ElementType.FLOAT, count, buffer.array(), null, buffer.arrayOffset() + index,
                    null, null, null, true);
        }
        return new ElementBuffer(ElementType.FLOAT, count, null, null, index, buffer, null, null,
                !buffer.isReadOnly());
    }

    /** The buffer's remaining elements, from its position to its limit (the position is not moved). */
    public static ElementBuffer of(DoubleBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass a DoubleBuffer");
        }
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /** {@code count} elements of {@code buffer} from absolute index {@code index}. */
    public static ElementBuffer of(DoubleBuffer buffer, int index, int count) {
        checkRange("DoubleBuffer", buffer == null ? -1 : buffer.capacity(), index, count);
        if (buffer.hasArray()) {
            return new ElementBuffer(ElementType.DOUBLE, count, null, buffer.array(), buffer.arrayOffset() + index,
                    null, null, null, true);
        }
        return new ElementBuffer(ElementType.DOUBLE, count, null, null, index, null, buffer, null,
                !buffer.isReadOnly());
    }

    /**
     * {@code count} elements of {@code type} stored little-endian in {@code buffer} from byte {@code byteOffset}
     * (staging buffers, pinned host memory, encoded payloads). Transports read and write such a slice without copying.
     */
    public static ElementBuffer ofBytes(ByteBuffer buffer, ElementType type, int byteOffset, int count) {
        Objects.requireNonNull(type, "type");
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass a ByteBuffer");
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        long len = (long) count * type.bytes();
        if (byteOffset < 0 || byteOffset + len > buffer.capacity()) {
            throw new IllegalArgumentException("byte offset " + byteOffset + " + " + count + " " + type.label()
                    + "s is past the end of a ByteBuffer of capacity " + buffer.capacity());
        }
        ByteBuffer d = buffer.duplicate();
        d.limit((int) (byteOffset + len)).position(byteOffset);
        ByteBuffer slice = d.slice().order(ByteOrder.LITTLE_ENDIAN);
        FloatBuffer fv = type == ElementType.FLOAT ? slice.asFloatBuffer() : null;
        DoubleBuffer dv = type == ElementType.DOUBLE ? slice.asDoubleBuffer() : null;
        return new ElementBuffer(type, count, null, null, 0, fv, dv, slice, !buffer.isReadOnly());
    }

    /** An empty float buffer. */
    public static ElementBuffer empty() {
        return EMPTY_FLOAT;
    }

    private static void checkRange(String what, int length, int offset, int count) {
        if (length < 0) {
            throw new IllegalArgumentException("buffer is null: pass a " + what);
        }
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        if (offset < 0) {
            throw new IllegalArgumentException("offset must be >= 0, got " + offset);
        }
        if ((long) offset + count > length) {
            throw new IllegalArgumentException("offset " + offset + " + count " + count + " is past the end of the "
                    + what + " of length " + length);
        }
    }

    // ------------------------------------------------------------------ accessors

    /** The element type. */
    public ElementType type() {
        return type;
    }

    /** Number of elements in the slice. */
    public int count() {
        return count;
    }

    /** Size of the slice in bytes. */
    public long byteSize() {
        return (long) count * type.bytes();
    }

    /** False for read-only NIO buffers, which can only be sent. */
    public boolean isWritable() {
        return writable;
    }

    /** The little-endian bytes of the slice when it was made by {@link #ofBytes}, else null. */
    public ByteBuffer bytes() {
        return bytes;
    }

    /** A sub-slice (allocates: not for per-message paths). */
    public ElementBuffer slice(int from, int n) {
        if (from < 0 || n < 0 || from + n > count) {
            throw new IllegalArgumentException("slice " + from + "+" + n + " outside 0.." + count);
        }
        if (bytes != null) {
            return ofBytes(bytes, type, from * type.bytes(), n);
        }
        return new ElementBuffer(type, n, floats, doubles, base + from, floatView, doubleView, null, writable);
    }

    /** Element {@code i} widened to double (tests, checks, diagnostics). */
    public double get(int i) {
        switch (type) {
            case FLOAT:
                return floats != null ? floats[base + i] : floatView.get(base + i);
            case DOUBLE:
                return doubles != null ? doubles[base + i] : doubleView.get(base + i);
            default:
                return bytes.get(i);
        }
    }

    /** Sets element {@code i} (tests and diagnostics). */
    public void set(int i, double v) {
        switch (type) {
            case FLOAT:
                if (floats != null) {
                    floats[base + i] = (float) v;
                } else {
                    floatView.put(base + i, (float) v);
                }
                break;
            case DOUBLE:
                if (doubles != null) {
                    doubles[base + i] = v;
                } else {
                    doubleView.put(base + i, v);
                }
                break;
            default:
                bytes.put(i, (byte) v);
        }
    }

    // ------------------------------------------------------------------ kernels

    /** Copies elements {@code [from, from+n)} of this slice to {@code [to, to+n)} of {@code dst}. */
    public void copyTo(int from, ElementBuffer dst, int to, int n) {
        if (n == 0) {
            return;
        }
        sameType(dst);
        switch (type) {
            case FLOAT:
                if (floats != null) {
                    if (dst.floats != null) {
                        System.arraycopy(floats, base + from, dst.floats, dst.base + to, n);
                    } else {
                        dst.floatView.put(dst.base + to, floats, base + from, n);
                    }
                } else if (dst.floats != null) {
                    floatView.get(base + from, dst.floats, dst.base + to, n);
                } else {
                    dst.floatView.put(dst.base + to, floatView, base + from, n);
                }
                break;
            case DOUBLE:
                if (doubles != null) {
                    if (dst.doubles != null) {
                        System.arraycopy(doubles, base + from, dst.doubles, dst.base + to, n);
                    } else {
                        dst.doubleView.put(dst.base + to, doubles, base + from, n);
                    }
                } else if (dst.doubles != null) {
                    doubleView.get(base + from, dst.doubles, dst.base + to, n);
                } else {
                    dst.doubleView.put(dst.base + to, doubleView, base + from, n);
                }
                break;
            default:
                dst.bytes.put(to, bytes, from, n);
        }
    }

    /**
     * Reduces elements {@code [from, from+n)} of this slice into {@code [to, to+n)} of {@code dst}:
     * {@code dst = srcFirst ? op(this, dst) : op(dst, this)}. The operand order is explicit so that ranks that
     * compute the same element put the same operand first and agree bit for bit.
     */
    public void reduceInto(int from, ElementBuffer dst, int to, int n, ReduceOp op, boolean srcFirst) {
        if (n == 0) {
            return;
        }
        sameType(dst);
        switch (type) {
            case FLOAT:
                reduceFloats(from, dst, to, n, op, srcFirst);
                break;
            case DOUBLE:
                reduceDoubles(from, dst, to, n, op, srcFirst);
                break;
            default:
                throw new UnsupportedOperationException("byte buffers carry encoded payloads and cannot be reduced");
        }
    }

    private void reduceFloats(int from, ElementBuffer dst, int to, int n, ReduceOp op, boolean srcFirst) {
        if (floats != null && dst.floats != null) {
            Kernels.reduce(dst.floats, dst.base + to, floats, base + from, n, op, srcFirst);
            return;
        }
        float[][] stage = Kernels.scratchFloats();
        for (int k = 0; k < n; k += Kernels.STAGE) {
            int m = Math.min(Kernels.STAGE, n - k);
            float[] s;
            int si;
            if (floats != null) {
                s = floats;
                si = base + from + k;
            } else {
                s = stage[0];
                si = 0;
                floatView.get(base + from + k, s, 0, m);
            }
            if (dst.floats != null) {
                Kernels.reduce(dst.floats, dst.base + to + k, s, si, m, op, srcFirst);
            } else {
                float[] d = stage[1];
                dst.floatView.get(dst.base + to + k, d, 0, m);
                Kernels.reduce(d, 0, s, si, m, op, srcFirst);
                dst.floatView.put(dst.base + to + k, d, 0, m);
            }
        }
    }

    private void reduceDoubles(int from, ElementBuffer dst, int to, int n, ReduceOp op, boolean srcFirst) {
        if (doubles != null && dst.doubles != null) {
            Kernels.reduce(dst.doubles, dst.base + to, doubles, base + from, n, op, srcFirst);
            return;
        }
        double[][] stage = Kernels.scratchDoubles();
        for (int k = 0; k < n; k += Kernels.STAGE) {
            int m = Math.min(Kernels.STAGE, n - k);
            double[] s;
            int si;
            if (doubles != null) {
                s = doubles;
                si = base + from + k;
            } else {
                s = stage[0];
                si = 0;
                doubleView.get(base + from + k, s, 0, m);
            }
            if (dst.doubles != null) {
                Kernels.reduce(dst.doubles, dst.base + to + k, s, si, m, op, srcFirst);
            } else {
                double[] d = stage[1];
                dst.doubleView.get(dst.base + to + k, d, 0, m);
                Kernels.reduce(d, 0, s, si, m, op, srcFirst);
                dst.doubleView.put(dst.base + to + k, d, 0, m);
            }
        }
    }

    /**
     * Writes {@code dst[to..] = op(this[from..], other[otherFrom..])} for n elements: a reduction whose result goes
     * to a third buffer (the out-of-place ring reads the caller's send buffer and writes its receive buffer).
     * {@code dst} must not overlap this slice or {@code other} unless it is the same elements.
     */
    public void combineInto(int from, ElementBuffer other, int otherFrom, ElementBuffer dst, int to, int n,
            ReduceOp op) {
        if (n == 0) {
            return;
        }
        sameType(other);
        sameType(dst);
        if (type == ElementType.FLOAT) {
            if (floats != null && other.floats != null && dst.floats != null) {
                Kernels.combine(dst.floats, dst.base + to, floats, base + from, other.floats, other.base + otherFrom,
                        n, op);
                return;
            }
        } else if (type == ElementType.DOUBLE) {
            if (doubles != null && other.doubles != null && dst.doubles != null) {
                Kernels.combine(dst.doubles, dst.base + to, doubles, base + from, other.doubles,
                        other.base + otherFrom, n, op);
                return;
            }
        } else {
            throw new UnsupportedOperationException("byte buffers carry encoded payloads and cannot be reduced");
        }
        if (type == ElementType.FLOAT && floats == null && other.floats != null && dst.floats != null) {
            // Incoming elements in a staging buffer: stage them into an array chunk, combine in one pass.
            float[] s = Kernels.scratchFloats()[0];
            for (int k = 0; k < n; k += Kernels.STAGE) {
                int m = Math.min(Kernels.STAGE, n - k);
                floatView.get(base + from + k, s, 0, m);
                Kernels.combine(dst.floats, dst.base + to + k, s, 0, other.floats, other.base + otherFrom + k, m, op);
            }
            return;
        }
        if (type == ElementType.DOUBLE && doubles == null && other.doubles != null && dst.doubles != null) {
            double[] s = Kernels.scratchDoubles()[0];
            for (int k = 0; k < n; k += Kernels.STAGE) {
                int m = Math.min(Kernels.STAGE, n - k);
                doubleView.get(base + from + k, s, 0, m);
                Kernels.combine(dst.doubles, dst.base + to + k, s, 0, other.doubles, other.base + otherFrom + k, m,
                        op);
            }
            return;
        }
        // Other mixes: copy one operand into place, then reduce the other into it.
        other.copyTo(otherFrom, dst, to, n);
        reduceInto(from, dst, to, n, op, true);
    }

    /** Divides elements {@code [from, from+n)} by {@code divisor} (AVG = SUM / P). */
    public void divide(int from, int n, int divisor) {
        switch (type) {
            case FLOAT:
                if (floats != null) {
                    Kernels.divide(floats, base + from, n, divisor);
                } else {
                    float[] s = Kernels.scratchFloats()[0];
                    for (int k = 0; k < n; k += Kernels.STAGE) {
                        int m = Math.min(Kernels.STAGE, n - k);
                        floatView.get(base + from + k, s, 0, m);
                        Kernels.divide(s, 0, m, divisor);
                        floatView.put(base + from + k, s, 0, m);
                    }
                }
                break;
            case DOUBLE:
                if (doubles != null) {
                    Kernels.divide(doubles, base + from, n, divisor);
                } else {
                    double[] s = Kernels.scratchDoubles()[0];
                    for (int k = 0; k < n; k += Kernels.STAGE) {
                        int m = Math.min(Kernels.STAGE, n - k);
                        doubleView.get(base + from + k, s, 0, m);
                        Kernels.divide(s, 0, m, divisor);
                        doubleView.put(base + from + k, s, 0, m);
                    }
                }
                break;
            default:
                throw new UnsupportedOperationException("byte buffers cannot be averaged");
        }
    }

    /**
     * Replaces every NaN among the elements by the canonical NaN ({@link Float#NaN}, {@link Double#NaN}). Java leaves
     * the payload of a NaN an operation produces unspecified (it depends on the operand order the JIT chose, on
     * interpreted or compiled code, on the CPU), so ranks that compute the same element separately canonicalize it to
     * agree bit for bit.
     */
    public void canonicalizeNaNs() {
        switch (type) {
            case FLOAT:
                if (floats != null) {
                    Kernels.canonicalNaNs(floats, base, count);
                } else {
                    float[] s = Kernels.scratchFloats()[0];
                    for (int k = 0; k < count; k += Kernels.STAGE) {
                        int m = Math.min(Kernels.STAGE, count - k);
                        floatView.get(base + k, s, 0, m);
                        if (Kernels.canonicalNaNs(s, 0, m)) {
                            floatView.put(base + k, s, 0, m);
                        }
                    }
                }
                break;
            case DOUBLE:
                if (doubles != null) {
                    Kernels.canonicalNaNs(doubles, base, count);
                } else {
                    double[] s = Kernels.scratchDoubles()[0];
                    for (int k = 0; k < count; k += Kernels.STAGE) {
                        int m = Math.min(Kernels.STAGE, count - k);
                        doubleView.get(base + k, s, 0, m);
                        if (Kernels.canonicalNaNs(s, 0, m)) {
                            doubleView.put(base + k, s, 0, m);
                        }
                    }
                }
                break;
            default:
                throw new UnsupportedOperationException("byte buffers carry encoded payloads, not numbers");
        }
    }

    /** The float array behind an array-backed float slice (element 0 at {@link #arrayOffset()}), else null. */
    public float[] floatArray() {
        return floats;
    }

    /** The double array behind an array-backed double slice (element 0 at {@link #arrayOffset()}), else null. */
    public double[] doubleArray() {
        return doubles;
    }

    /** Index of element 0 in {@link #floatArray()} or {@link #doubleArray()}. */
    public int arrayOffset() {
        return base;
    }

    /** True when both slices are exactly the same elements of the same array or buffer. */
    public boolean sameRegion(ElementBuffer other) {
        if (other == this) {
            return true;
        }
        boolean sameStore = (floats != null && floats == other.floats) || (doubles != null && doubles == other.doubles)
                || (floatView != null && floatView == other.floatView)
                || (doubleView != null && doubleView == other.doubleView);
        return sameStore && base == other.base && count == other.count;
    }

    /** True when this slice and {@code other} may share memory (same array or same NIO buffer). */
    public boolean mayOverlap(ElementBuffer other) {
        if (floats != null) {
            return floats == other.floats && base < other.base + other.count && other.base < base + count;
        }
        if (doubles != null) {
            return doubles == other.doubles && base < other.base + other.count && other.base < base + count;
        }
        return false;
    }

    private void sameType(ElementBuffer dst) {
        if (dst.type != type) {
            throw new IllegalArgumentException("element types differ: " + type.label() + " vs " + dst.type.label());
        }
    }

    @Override
    public String toString() {
        String where = floats != null || doubles != null ? "array" : bytes != null ? "bytes" : "nio";
        return type.label() + "[" + count + "] (" + where + ")";
    }
}

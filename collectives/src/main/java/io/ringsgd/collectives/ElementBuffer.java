package io.ringsgd.collectives;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.LongBuffer;
import java.util.Objects;

/**
 * A run of elements a collective reads or writes: a slice of a {@code float[]}, {@code double[]}, {@code int[]},
 * {@code long[]} or {@code byte[]}, of a {@link FloatBuffer}, {@link DoubleBuffer}, {@link IntBuffer},
 * {@link LongBuffer} or {@link ByteBuffer} (heap or direct, any byte order), or elements of any type stored
 * little-endian in a {@link ByteBuffer} ({@link #ofBytes}). It is the
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

    // Integer element types: array-backed (ints, longs, byteArray) or NIO-backed (intView, longView, bytes).
    private final int[] ints;
    private final long[] longs;
    private final byte[] byteArray;
    private final IntBuffer intView;
    private final LongBuffer longView;

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
        this(type, count, floats, doubles, null, null, null, base, fv, dv, null, null, bytes, writable);
    }

    private ElementBuffer(ElementType type, int count, float[] floats, double[] doubles, int[] ints, long[] longs,
            byte[] byteArray, int base, FloatBuffer fv, DoubleBuffer dv, IntBuffer iv, LongBuffer lv, ByteBuffer bytes,
            boolean writable) {
        this.type = type;
        this.count = count;
        this.floats = floats;
        this.doubles = doubles;
        this.ints = ints;
        this.longs = longs;
        this.byteArray = byteArray;
        this.base = base;
        this.floatView = fv;
        this.doubleView = dv;
        this.intView = iv;
        this.longView = lv;
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

    /** The whole array. */
    public static ElementBuffer of(int[] array) {
        return of(array, 0, array == null ? 0 : array.length);
    }

    /** {@code count} elements of {@code array} from {@code offset}. */
    public static ElementBuffer of(int[] array, int offset, int count) {
        checkRange("int array", array == null ? -1 : array.length, offset, count);
        return new ElementBuffer(ElementType.INT, count, null, null, array, null, null, offset, null, null, null,
                null, null, true);
    }

    /** The whole array. */
    public static ElementBuffer of(long[] array) {
        return of(array, 0, array == null ? 0 : array.length);
    }

    /** {@code count} elements of {@code array} from {@code offset}. */
    public static ElementBuffer of(long[] array, int offset, int count) {
        checkRange("long array", array == null ? -1 : array.length, offset, count);
        return new ElementBuffer(ElementType.LONG, count, null, null, null, array, null, offset, null, null, null,
                null, null, true);
    }

    /** The whole array. */
    public static ElementBuffer of(byte[] array) {
        return of(array, 0, array == null ? 0 : array.length);
    }

    /** {@code count} elements of {@code array} from {@code offset}. */
    public static ElementBuffer of(byte[] array, int offset, int count) {
        checkRange("byte array", array == null ? -1 : array.length, offset, count);
        return new ElementBuffer(ElementType.BYTE, count, null, null, null, null, array, offset, null, null, null,
                null, null, true);
    }

    /** The buffer's remaining elements, from its position to its limit (the position is not moved). */
    public static ElementBuffer of(IntBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass an IntBuffer");
        }
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /** {@code count} elements of {@code buffer} from absolute index {@code index}. */
    public static ElementBuffer of(IntBuffer buffer, int index, int count) {
        checkRange("IntBuffer", buffer == null ? -1 : buffer.capacity(), index, count);
        if (buffer.hasArray()) {
            return of(buffer.array(), buffer.arrayOffset() + index, count);
        }
        return new ElementBuffer(ElementType.INT, count, null, null, null, null, null, index, null, null, buffer,
                null, null, !buffer.isReadOnly());
    }

    /** The buffer's remaining elements, from its position to its limit (the position is not moved). */
    public static ElementBuffer of(LongBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass a LongBuffer");
        }
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /** {@code count} elements of {@code buffer} from absolute index {@code index}. */
    public static ElementBuffer of(LongBuffer buffer, int index, int count) {
        checkRange("LongBuffer", buffer == null ? -1 : buffer.capacity(), index, count);
        if (buffer.hasArray()) {
            return of(buffer.array(), buffer.arrayOffset() + index, count);
        }
        return new ElementBuffer(ElementType.LONG, count, null, null, null, null, null, index, null, null, null,
                buffer, null, !buffer.isReadOnly());
    }

    /**
     * The buffer's remaining bytes as {@code byte} elements, from its position to its limit (the position is not
     * moved). For elements of another type stored in a ByteBuffer, use {@link #ofBytes}.
     */
    public static ElementBuffer of(ByteBuffer buffer) {
        if (buffer == null) {
            throw new IllegalArgumentException("buffer is null: pass a ByteBuffer");
        }
        return of(buffer, buffer.position(), buffer.remaining());
    }

    /** {@code count} byte elements of {@code buffer} from absolute index {@code index}. */
    public static ElementBuffer of(ByteBuffer buffer, int index, int count) {
        checkRange("ByteBuffer", buffer == null ? -1 : buffer.capacity(), index, count);
        if (buffer.hasArray()) {
            return of(buffer.array(), buffer.arrayOffset() + index, count);
        }
        return ofBytes(buffer, ElementType.BYTE, index, count);
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
        IntBuffer iv = type == ElementType.INT ? slice.asIntBuffer() : null;
        LongBuffer lv = type == ElementType.LONG ? slice.asLongBuffer() : null;
        return new ElementBuffer(type, count, null, null, null, null, null, 0, fv, dv, iv, lv, slice,
                !buffer.isReadOnly());
    }

    /**
     * A new zeroed heap array of {@code count} elements of {@code type} ({@code float[]}, {@code double[]},
     * {@code int[]}, {@code long[]} or {@code byte[]}), as a whole-array slice.
     */
    public static ElementBuffer allocate(ElementType type, int count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must be >= 0, got " + count);
        }
        switch (type) {
            case DOUBLE:
                return of(new double[count]);
            case INT:
                return of(new int[count]);
            case LONG:
                return of(new long[count]);
            case BYTE:
                return of(new byte[count]);
            default:
                return of(new float[count]);
        }
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
        return new ElementBuffer(type, n, floats, doubles, ints, longs, byteArray, base + from, floatView,
                doubleView, intView, longView, null, writable);
    }

    /** Element {@code i} widened to double (tests, checks, diagnostics). */
    public double get(int i) {
        switch (type) {
            case FLOAT:
                return floats != null ? floats[base + i] : floatView.get(base + i);
            case DOUBLE:
                return doubles != null ? doubles[base + i] : doubleView.get(base + i);
            default:
                return getLong(i);
        }
    }

    /** Element {@code i} of an integer slice ({@code int}, {@code long}, {@code byte}) as a long. */
    public long getLong(int i) {
        switch (type) {
            case INT:
                return ints != null ? ints[base + i] : intView.get(base + i);
            case LONG:
                return longs != null ? longs[base + i] : longView.get(base + i);
            case BYTE:
                return byteArray != null ? byteArray[base + i] : bytes.get(base + i);
            default:
                return (long) get(i);
        }
    }

    /** Sets element {@code i} of an integer slice, narrowing {@code v} as a Java cast does (tests, diagnostics). */
    public void setLong(int i, long v) {
        switch (type) {
            case INT:
                if (ints != null) {
                    ints[base + i] = (int) v;
                } else {
                    intView.put(base + i, (int) v);
                }
                break;
            case LONG:
                if (longs != null) {
                    longs[base + i] = v;
                } else {
                    longView.put(base + i, v);
                }
                break;
            case BYTE:
                if (byteArray != null) {
                    byteArray[base + i] = (byte) v;
                } else {
                    bytes.put(base + i, (byte) v);
                }
                break;
            default:
                set(i, v);
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
                setLong(i, (long) v);
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
                copyIntegers(from, dst, to, n);
        }
    }

    private void copyIntegers(int from, ElementBuffer dst, int to, int n) {
        int s = base + from;
        int d = dst.base + to;
        switch (type) {
            case INT:
                if (ints != null) {
                    if (dst.ints != null) {
                        System.arraycopy(ints, s, dst.ints, d, n);
                    } else {
                        dst.intView.put(d, ints, s, n);
                    }
                } else if (dst.ints != null) {
                    intView.get(s, dst.ints, d, n);
                } else {
                    dst.intView.put(d, intView, s, n);
                }
                break;
            case LONG:
                if (longs != null) {
                    if (dst.longs != null) {
                        System.arraycopy(longs, s, dst.longs, d, n);
                    } else {
                        dst.longView.put(d, longs, s, n);
                    }
                } else if (dst.longs != null) {
                    longView.get(s, dst.longs, d, n);
                } else {
                    dst.longView.put(d, longView, s, n);
                }
                break;
            default:
                if (byteArray != null) {
                    if (dst.byteArray != null) {
                        System.arraycopy(byteArray, s, dst.byteArray, d, n);
                    } else {
                        dst.bytes.put(d, byteArray, s, n);
                    }
                } else if (dst.byteArray != null) {
                    bytes.get(s, dst.byteArray, d, n);
                } else {
                    dst.bytes.put(d, bytes, s, n);
                }
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
            case INT:
                reduceInts(from, dst, to, n, op);
                break;
            case LONG:
                reduceLongs(from, dst, to, n, op);
                break;
            default:
                reduceBytes(from, dst, to, n, op);
        }
    }

    // Integer ops are commutative and exact: the operand order does not matter, so srcFirst is not needed below.

    private void reduceInts(int from, ElementBuffer dst, int to, int n, ReduceOp op) {
        if (ints != null && dst.ints != null) {
            IntegerKernels.combine(dst.ints, dst.base + to, dst.ints, dst.base + to, ints, base + from, n, op);
            return;
        }
        int[][] stage = IntegerKernels.scratchInts();
        for (int k = 0; k < n; k += Kernels.STAGE) {
            int m = Math.min(Kernels.STAGE, n - k);
            int[] s = ints;
            int si = base + from + k;
            if (s == null) {
                s = stage[0];
                intView.get(si, s, 0, m);
                si = 0;
            }
            int di = dst.base + to + k;
            if (dst.ints != null) {
                IntegerKernels.combine(dst.ints, di, dst.ints, di, s, si, m, op);
            } else {
                int[] d = stage[1];
                dst.intView.get(di, d, 0, m);
                IntegerKernels.combine(d, 0, d, 0, s, si, m, op);
                dst.intView.put(di, d, 0, m);
            }
        }
    }

    private void reduceLongs(int from, ElementBuffer dst, int to, int n, ReduceOp op) {
        if (longs != null && dst.longs != null) {
            IntegerKernels.combine(dst.longs, dst.base + to, dst.longs, dst.base + to, longs, base + from, n, op);
            return;
        }
        long[][] stage = IntegerKernels.scratchLongs();
        for (int k = 0; k < n; k += Kernels.STAGE) {
            int m = Math.min(Kernels.STAGE, n - k);
            long[] s = longs;
            int si = base + from + k;
            if (s == null) {
                s = stage[0];
                longView.get(si, s, 0, m);
                si = 0;
            }
            int di = dst.base + to + k;
            if (dst.longs != null) {
                IntegerKernels.combine(dst.longs, di, dst.longs, di, s, si, m, op);
            } else {
                long[] d = stage[1];
                dst.longView.get(di, d, 0, m);
                IntegerKernels.combine(d, 0, d, 0, s, si, m, op);
                dst.longView.put(di, d, 0, m);
            }
        }
    }

    private void reduceBytes(int from, ElementBuffer dst, int to, int n, ReduceOp op) {
        if (byteArray != null && dst.byteArray != null) {
            IntegerKernels.combine(dst.byteArray, dst.base + to, dst.byteArray, dst.base + to, byteArray,
                    base + from, n, op);
            return;
        }
        byte[][] stage = IntegerKernels.scratchBytes();
        for (int k = 0; k < n; k += Kernels.STAGE) {
            int m = Math.min(Kernels.STAGE, n - k);
            byte[] s = byteArray;
            int si = base + from + k;
            if (s == null) {
                s = stage[0];
                bytes.get(si, s, 0, m);
                si = 0;
            }
            int di = dst.base + to + k;
            if (dst.byteArray != null) {
                IntegerKernels.combine(dst.byteArray, di, dst.byteArray, di, s, si, m, op);
            } else {
                byte[] d = stage[1];
                dst.bytes.get(di, d, 0, m);
                IntegerKernels.combine(d, 0, d, 0, s, si, m, op);
                dst.bytes.put(di, d, 0, m);
            }
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
            combineIntegers(from, other, otherFrom, dst, to, n, op);
            return;
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

    private void combineIntegers(int from, ElementBuffer other, int otherFrom, ElementBuffer dst, int to, int n,
            ReduceOp op) {
        int a = base + from;
        int b = other.base + otherFrom;
        int d = dst.base + to;
        if (ints != null && other.ints != null && dst.ints != null) {
            IntegerKernels.combine(dst.ints, d, ints, a, other.ints, b, n, op);
        } else if (longs != null && other.longs != null && dst.longs != null) {
            IntegerKernels.combine(dst.longs, d, longs, a, other.longs, b, n, op);
        } else if (byteArray != null && other.byteArray != null && dst.byteArray != null) {
            IntegerKernels.combine(dst.byteArray, d, byteArray, a, other.byteArray, b, n, op);
        } else if (dst.sameRegionAt(to, this, from, n)) {
            other.reduceInto(otherFrom, dst, to, n, op, false);
        } else {
            // Integer ops commute: put one operand in place and reduce the other into it.
            other.copyTo(otherFrom, dst, to, n);
            reduceInto(from, dst, to, n, op, true);
        }
    }

    /** True when elements [at, at+n) of this slice are elements [otherAt, otherAt+n) of {@code other}. */
    private boolean sameRegionAt(int at, ElementBuffer other, int otherAt, int n) {
        return store() != null && store() == other.store() && base + at == other.base + otherAt;
    }

    /** The array or NIO buffer holding the elements. */
    private Object store() {
        if (floats != null) {
            return floats;
        }
        if (doubles != null) {
            return doubles;
        }
        if (ints != null) {
            return ints;
        }
        if (longs != null) {
            return longs;
        }
        if (byteArray != null) {
            return byteArray;
        }
        if (floatView != null) {
            return floatView;
        }
        if (doubleView != null) {
            return doubleView;
        }
        if (intView != null) {
            return intView;
        }
        return longView != null ? longView : bytes;
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
                throw new UnsupportedOperationException(type.label() + " elements cannot be averaged");
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
                // Integers have no NaN.
                break;
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
        Object store = store();
        return other != null && store != null && store == other.store() && base == other.base
                && count == other.count;
    }

    /** True when this slice and {@code other} may share memory (same array or same NIO buffer). */
    public boolean mayOverlap(ElementBuffer other) {
        Object store = store();
        boolean array = floats != null || doubles != null || ints != null || longs != null || byteArray != null;
        return array && store == other.store() && base < other.base + other.count && other.base < base + count;
    }

    private void sameType(ElementBuffer dst) {
        if (dst.type != type) {
            throw new IllegalArgumentException("element types differ: " + type.label() + " vs " + dst.type.label());
        }
    }

    @Override
    public String toString() {
        String where = floats != null || doubles != null || ints != null || longs != null || byteArray != null
                ? "array" : bytes != null ? "bytes" : "nio";
        return type.label() + "[" + count + "] (" + where + ")";
    }
}

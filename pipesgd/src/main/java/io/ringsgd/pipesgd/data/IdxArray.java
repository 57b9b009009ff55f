package io.ringsgd.pipesgd.data;

import java.util.Arrays;

/**
 * The contents of one IDX file of unsigned bytes: its dimensions (outermost first) and its data in row-major order.
 */
public final class IdxArray {
    /** Magic number of an IDX file of unsigned bytes with one dimension (MNIST labels). */
    public static final int MAGIC_LABELS = 0x00000801;
    /** Magic number of an IDX file of unsigned bytes with three dimensions (MNIST images). */
    public static final int MAGIC_IMAGES = 0x00000803;

    private final int[] dims;
    private final byte[] data;

    /** Wraps (does not copy) {@code data}; its length must be the product of {@code dims}. */
    public IdxArray(int[] dims, byte[] data) {
        long n = 1;
        for (int d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative IDX dimension " + d + " in " + Arrays.toString(dims));
            }
            n *= d;
        }
        if (n != data.length) {
            throw new IllegalArgumentException("IDX dimensions " + Arrays.toString(dims) + " hold " + n
                    + " bytes but the data has " + data.length);
        }
        this.dims = dims.clone();
        this.data = data;
    }

    /** Dimensions, outermost (the sample count) first. */
    public int[] dims() {
        return dims.clone();
    }

    /** Size of dimension {@code i}. */
    public int dim(int i) {
        return dims[i];
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** The data, not copied: do not modify it once shared. */
    public byte[] data() {
        return data;
    }

    /** The IDX magic number for unsigned bytes with this many dimensions. */
    public int magic() {
        return 0x0800 | dims.length;
    }
}

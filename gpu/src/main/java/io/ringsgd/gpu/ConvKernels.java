package io.ringsgd.gpu;

/**
 * The data movement of a convolutional layer (im2col, col2im) and of max pooling, in one place for every Java path:
 * the CPU convolutional model and the host device ({@link Device#im2col}, {@link Device#col2im},
 * {@link Device#maxPool}, {@link Device#maxPoolBackward}) both call these loops, so they agree bit for bit; the CUDA
 * kernels compute the same expressions in the same order, and {@code CudaKernelSourceTest} checks that they do.
 *
 * <p>Images are NHWC: element (n, y, x, c) of a batch of {@code h×w×c} images is at
 * {@code ((n·h + y)·w + x)·c + c}. A convolution is square ({@code k×k}), stride 1, zero padding {@code pad} on every
 * side, so its output is {@code oh = h + 2·pad − k + 1} by {@code ow = w + 2·pad − k + 1}. Its column matrix has one
 * row per output pixel (n, oy, ox), {@code n·oh·ow} rows, and one column per kernel tap and input channel
 * (ky, kx, c), {@code k·k·c} columns: with the weights stored as a {@code (k·k·c) × filters} matrix the convolution is
 * the product {@code col · W}, whose {@code n·oh·ow × filters} result is the NHWC output. Max pooling takes
 * {@code size×size} windows with stride {@code size} (no padding; a remainder row or column is dropped).
 *
 * <p>Stateless and thread-safe; nothing is allocated.
 */
public final class ConvKernels {
    private ConvKernels() {
    }

    /** Output size of a stride-1 convolution of {@code in} pixels with a {@code k}-wide kernel and padding pad. */
    public static int convOut(int in, int k, int pad) {
        return in + 2 * pad - k + 1;
    }

    /**
     * Writes the column matrix of {@code n} NHWC images {@code x[xo..]} into {@code col[co..]}
     * ({@code n·oh·ow} rows of {@code k·k·c} floats; taps that fall into the padding are zero).
     */
    public static void im2col(float[] x, int xo, int n, int h, int w, int c, int k, int pad, float[] col, int co) {
        int oh = convOut(h, k, pad);
        int ow = convOut(w, k, pad);
        int row = co;
        for (int img = 0; img < n; img++) {
            int base = xo + img * h * w * c;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ky = 0; ky < k; ky++) {
                        int iy = oy - pad + ky;
                        boolean rowInside = iy >= 0 && iy < h;
                        for (int kx = 0; kx < k; kx++) {
                            int ix = ox - pad + kx;
                            if (rowInside && ix >= 0 && ix < w) {
                                System.arraycopy(x, base + (iy * w + ix) * c, col, row, c);
                            } else {
                                java.util.Arrays.fill(col, row, row + c, 0f);
                            }
                            row += c;
                        }
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: overwrites the NHWC images {@code x[xo..]} with, for every pixel and channel,
     * the sum of the column-matrix entries that {@link #im2col} copied from it. Each sum runs over the taps (ky, kx)
     * in increasing order from +0.0, so every path that calls this (and the CUDA kernel, one thread per pixel) rounds
     * alike.
     */
    public static void col2im(float[] col, int co, int n, int h, int w, int c, int k, int pad, float[] x, int xo) {
        int oh = convOut(h, k, pad);
        int ow = convOut(w, k, pad);
        int cols = k * k * c;
        int i = xo;
        for (int img = 0; img < n; img++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    for (int ch = 0; ch < c; ch++) {
                        float acc = 0f;
                        for (int ky = 0; ky < k; ky++) {
                            int oy = iy + pad - ky;
                            if (oy < 0 || oy >= oh) {
                                continue;
                            }
                            for (int kx = 0; kx < k; kx++) {
                                int ox = ix + pad - kx;
                                if (ox < 0 || ox >= ow) {
                                    continue;
                                }
                                acc += col[co + ((img * oh + oy) * ow + ox) * cols + (ky * k + kx) * c + ch];
                            }
                        }
                        x[i++] = acc;
                    }
                }
            }
        }
    }

    /**
     * Max pooling of {@code n} NHWC images {@code x[xo..]} into {@code y[yo..]} ({@code h/size × w/size × c} each),
     * recording in {@code argmax[ao..]} the index in {@code x} (absolute, {@code xo} included) of each maximum: the
     * first in row-major window order among equals; a NaN is taken as the maximum only if it comes first.
     */
    public static void maxPool(float[] x, int xo, int n, int h, int w, int c, int size, float[] y, int yo,
            int[] argmax, int ao) {
        pool(x, xo, n, h, w, c, size, y, yo, argmax, ao, null, 0);
    }

    /** Max pooling that records each maximum's absolute index in {@code abs} or its window tap in {@code taps}. */
    private static void pool(float[] x, int xo, int n, int h, int w, int c, int size, float[] y, int yo, int[] abs,
            int ao, float[] taps, int to) {
        int oh = h / size;
        int ow = w / size;
        int o = 0;
        for (int img = 0; img < n; img++) {
            int base = xo + img * h * w * c;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int ch = 0; ch < c; ch++) {
                        int best = base + (oy * size * w + ox * size) * c + ch;
                        int bestTap = 0;
                        float max = x[best];
                        for (int dy = 0; dy < size; dy++) {
                            for (int dx = 0; dx < size; dx++) {
                                int at = base + ((oy * size + dy) * w + ox * size + dx) * c + ch;
                                if (x[at] > max) {
                                    max = x[at];
                                    best = at;
                                    bestTap = dy * size + dx;
                                }
                            }
                        }
                        y[yo + o] = max;
                        if (abs != null) {
                            abs[ao + o] = best;
                        } else {
                            taps[to + o] = bestTap;
                        }
                        o++;
                    }
                }
            }
        }
    }

    /**
     * Back-propagation through {@link #maxPool}: overwrites the {@code n·h·w·c} floats of {@code dx[dxo..]} with
     * zeros, then writes each output gradient {@code dy[dyo + i]} at {@code dx[argmax[ao + i] − xo + dxo]}, where
     * {@code xo} is the offset the forward pass was given. Windows do not overlap, so each input receives at most one
     * gradient.
     */
    public static void maxPoolBackward(float[] dy, int dyo, int[] argmax, int ao, int xo, int outputs, float[] dx,
            int dxo, int inputs) {
        java.util.Arrays.fill(dx, dxo, dxo + inputs, 0f);
        for (int i = 0; i < outputs; i++) {
            dx[argmax[ao + i] - xo + dxo] = dy[dyo + i];
        }
    }

    /**
     * The device form of {@link #maxPool}: the same maxima, with each argmax recorded as its position inside the
     * window ({@code dy·size + dx}, exact as a float), because device buffers hold floats.
     */
    public static void maxPoolWindow(float[] x, int xo, int n, int h, int w, int c, int size, float[] y, int yo,
            float[] window, int wo) {
        pool(x, xo, n, h, w, c, size, y, yo, null, 0, window, wo);
    }

    /**
     * The device form of {@link #maxPoolBackward}: overwrites the NHWC input gradient {@code dx[dxo..]}
     * ({@code n·h·w·c}) pixel by pixel with the output gradient of the window that covers it if that window's
     * maximum ({@code window}, from {@link #maxPoolWindow}) is this pixel, else zero (also for the dropped remainder).
     */
    public static void maxPoolBackwardWindow(float[] dy, int dyo, float[] window, int wo, int n, int h, int w, int c,
            int size, float[] dx, int dxo) {
        int oh = h / size;
        int ow = w / size;
        int i = dxo;
        for (int img = 0; img < n; img++) {
            for (int iy = 0; iy < h; iy++) {
                for (int ix = 0; ix < w; ix++) {
                    int oy = iy / size;
                    int ox = ix / size;
                    boolean covered = oy < oh && ox < ow;
                    int tap = (iy - oy * size) * size + (ix - ox * size);
                    int o = ((img * oh + oy) * ow + ox) * c;
                    for (int ch = 0; ch < c; ch++) {
                        dx[i++] = covered && window[wo + o + ch] == (float) tap ? dy[dyo + o + ch] : 0f;
                    }
                }
            }
        }
    }
}

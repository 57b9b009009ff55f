package io.ringsgd.gpu;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.driver.CUstream;
import jcuda.driver.JCudaDriver;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernels cuBLAS does not provide, written in CUDA C, compiled at run time with NVRTC for the device's own
 * architecture (a cubin; PTX for the newest architecture NVRTC knows when the device is newer than NVRTC), and loaded
 * with the driver API. One instance per {@link CudaDevice}; its functions belong to the device's primary context.
 *
 * <p>Every kernel is a grid-stride loop, so any size runs with a bounded grid. Arithmetic uses the explicitly rounded
 * intrinsics ({@code __fadd_rn}, {@code __fmul_rn}, {@code __fdiv_rn}) so that the compiler cannot contract a multiply
 * and an add into an FMA: the results then equal the {@link HostDevice}'s bit for bit, and the device AllReduce equals
 * the host one. MIN and MAX follow Java's {@code Math.min/max} (NaN wins, -0.0 &lt; +0.0), not {@code fminf}.
 */
final class CudaKernels implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CudaKernels.class);
    static final int BLOCK = 256;
    private static final long MAX_BLOCKS = 65_535;

    static final String SOURCE = String.join("\n",
            "extern \"C\" {",
            "",
            "__device__ __forceinline__ float rs_min(float a, float b) {",
            "    if (a != a) return a;",
            "    if (b != b) return b;",
            "    if (a < b) return a;",
            "    if (b < a) return b;",
            "    return __int_as_float(__float_as_int(a) | __float_as_int(b));",
            "}",
            "",
            "__device__ __forceinline__ float rs_max(float a, float b) {",
            "    if (a != a) return a;",
            "    if (b != b) return b;",
            "    if (a > b) return a;",
            "    if (b > a) return b;",
            "    return __int_as_float(__float_as_int(a) & __float_as_int(b));",
            "}",
            "",
            "#define RS_FOR(i, n) for (long long i = (long long) blockIdx.x * blockDim.x + threadIdx.x; i < (n); \\",
            "        i += (long long) blockDim.x * gridDim.x)",
            "",
            "__global__ void rs_fill(float* x, int n, float v) {",
            "    RS_FOR(i, n) x[i] = v;",
            "}",
            "",
            "__global__ void rs_scale(float* x, int n, float a) {",
            "    RS_FOR(i, n) x[i] = __fmul_rn(a, x[i]);",
            "}",
            "",
            "__global__ void rs_divide(float* x, int n, float d) {",
            "    RS_FOR(i, n) x[i] = __fdiv_rn(x[i], d);",
            "}",
            "",
            "__global__ void rs_axpy(const float* x, float* y, int n, float a) {",
            "    RS_FOR(i, n) y[i] = __fadd_rn(y[i], __fmul_rn(a, x[i]));",
            "}",
            "",
            "/* dst = op(src, dst): the incoming operand first, as in the host ring. */",
            "__global__ void rs_reduce(const float* src, float* dst, int n, int op) {",
            "    RS_FOR(i, n) {",
            "        float a = src[i];",
            "        float b = dst[i];",
            "        float r;",
            "        switch (op) {",
            "            case 0: r = __fadd_rn(a, b); break;",
            "            case 1: r = __fmul_rn(a, b); break;",
            "            case 2: r = rs_min(a, b); break;",
            "            default: r = rs_max(a, b); break;",
            "        }",
            "        dst[i] = r;",
            "    }",
            "}",
            "",
            "__global__ void rs_relu(const float* x, float* y, int n) {",
            "    RS_FOR(i, n) {",
            "        float v = x[i];",
            "        y[i] = v > 0.0f ? v : 0.0f;",
            "    }",
            "}",
            "",
            "__global__ void rs_relu_backward(const float* act, float* g, int n) {",
            "    RS_FOR(i, n) {",
            "        if (!(act[i] > 0.0f)) g[i] = 0.0f;",
            "    }",
            "}",
            "",
            "__global__ void rs_add_bias(float* x, const float* b, int rows, int cols) {",
            "    long long total = (long long) rows * cols;",
            "    RS_FOR(i, total) x[i] = __fadd_rn(x[i], b[i % cols]);",
            "}",
            "",
            "/* One thread per column, rows in order: deterministic, and coalesced across a warp (row-major). */",
            "__global__ void rs_column_sums(const float* x, float* out, int rows, int cols) {",
            "    RS_FOR(j, cols) {",
            "        float acc = 0.0f;",
            "        for (int r = 0; r < rows; r++) acc = __fadd_rn(acc, x[(long long) r * cols + j]);",
            "        out[j] = acc;",
            "    }",
            "}",
            "",
            "/* SGD with momentum and weight decay; mode 0: plain (v unused), 1: momentum, 2: Nesterov. */",
            "__global__ void rs_sgd(float* w, const float* g, float* v, int n, float lr, float mu, float wd,",
            "        int mode) {",
            "    RS_FOR(i, n) {",
            "        float wi = w[i];",
            "        float d = __fadd_rn(g[i], __fmul_rn(wd, wi));",
            "        if (mode == 0) {",
            "            w[i] = __fsub_rn(wi, __fmul_rn(lr, d));",
            "        } else {",
            "            float vi = __fadd_rn(__fmul_rn(mu, v[i]), d);",
            "            v[i] = vi;",
            "            float step = mode == 2 ? __fadd_rn(d, __fmul_rn(mu, vi)) : vi;",
            "            w[i] = __fsub_rn(wi, __fmul_rn(lr, step));",
            "        }",
            "    }",
            "}",
            "",
            "/* One thread per row. g may be x itself: each x[j] is read before g[j] is written. */",
            "__global__ void rs_softmax_xent(const float* x, const float* labels, float* g, float* loss,",
            "        int rows, int cols, float scale) {",
            "    RS_FOR(r, rows) {",
            "        const float* row = x + r * cols;",
            "        float* grow = g + r * cols;",
            "        float label = labels[r];",
            "        bool valid = label >= 0.0f && label < (float) cols && label == floorf(label);",
            "        float m = __uint_as_float(0xff800000u); /* -infinity */",
            "        for (int j = 0; j < cols; j++) m = rs_max(m, row[j]);",
            "        float s = 0.0f;",
            "        for (int j = 0; j < cols; j++) s = __fadd_rn(s, expf(__fsub_rn(row[j], m)));",
            "        if (!valid) {",
            "            loss[r] = __int_as_float(0x7fc00000);",
            "            for (int j = 0; j < cols; j++) grow[j] = __int_as_float(0x7fc00000);",
            "            continue;",
            "        }",
            "        int y = (int) label;",
            "        loss[r] = __fsub_rn(logf(s), __fsub_rn(row[y], m));",
            "        for (int j = 0; j < cols; j++) {",
            "            float p = __fdiv_rn(expf(__fsub_rn(row[j], m)), s);",
            "            grow[j] = __fmul_rn(scale, j == y ? __fsub_rn(p, 1.0f) : p);",
            "        }",
            "    }",
            "}",
            "",
            "/* Convolution and pooling on NHWC images (ConvKernels' layout and summation order). */",
            "",
            "/* One thread per column-matrix element: row (img, oy, ox), column (ky, kx, ch). */",
            "__global__ void rs_im2col(const float* x, float* col, int n, int h, int w, int c, int k, int pad,",
            "        int oh, int ow) {",
            "    long long cols = (long long) k * k * c;",
            "    long long total = (long long) n * oh * ow * cols;",
            "    RS_FOR(i, total) {",
            "        long long row = i / cols;",
            "        int j = (int) (i - row * cols);",
            "        int ch = j % c;",
            "        int tap = j / c;",
            "        int kx = tap % k;",
            "        int ky = tap / k;",
            "        int ox = (int) (row % ow);",
            "        long long t = row / ow;",
            "        int oy = (int) (t % oh);",
            "        long long img = t / oh;",
            "        int iy = oy - pad + ky;",
            "        int ix = ox - pad + kx;",
            "        col[i] = iy >= 0 && iy < h && ix >= 0 && ix < w",
            "                ? x[((img * h + iy) * w + ix) * c + ch] : 0.0f;",
            "    }",
            "}",
            "",
            "/* One thread per input element: the sum over its taps in increasing (ky, kx) order, no atomics. */",
            "__global__ void rs_col2im(const float* col, float* x, int n, int h, int w, int c, int k, int pad,",
            "        int oh, int ow) {",
            "    long long total = (long long) n * h * w * c;",
            "    long long cols = (long long) k * k * c;",
            "    RS_FOR(i, total) {",
            "        int ch = (int) (i % c);",
            "        long long p = i / c;",
            "        int ix = (int) (p % w);",
            "        p /= w;",
            "        int iy = (int) (p % h);",
            "        long long img = p / h;",
            "        float acc = 0.0f;",
            "        for (int ky = 0; ky < k; ky++) {",
            "            int oy = iy + pad - ky;",
            "            if (oy < 0 || oy >= oh) continue;",
            "            for (int kx = 0; kx < k; kx++) {",
            "                int ox = ix + pad - kx;",
            "                if (ox < 0 || ox >= ow) continue;",
            "                acc = __fadd_rn(acc, col[((img * oh + oy) * ow + ox) * cols + (ky * k + kx) * c + ch]);",
            "            }",
            "        }",
            "        x[i] = acc;",
            "    }",
            "}",
            "",
            "/* One thread per output element; arg gets the maximum's position in its window (first among equals). */",
            "__global__ void rs_max_pool(const float* x, float* y, float* arg, int n, int h, int w, int c, int size,",
            "        int oh, int ow) {",
            "    long long total = (long long) n * oh * ow * c;",
            "    RS_FOR(i, total) {",
            "        int ch = (int) (i % c);",
            "        long long p = i / c;",
            "        int ox = (int) (p % ow);",
            "        p /= ow;",
            "        int oy = (int) (p % oh);",
            "        long long img = p / oh;",
            "        const float* base = x + img * h * w * c + ch;",
            "        float m = base[((long long) oy * size * w + (long long) ox * size) * c];",
            "        int best = 0;",
            "        for (int dy = 0; dy < size; dy++) {",
            "            for (int dx = 0; dx < size; dx++) {",
            "                float v = base[((long long) (oy * size + dy) * w + ox * size + dx) * c];",
            "                if (v > m) {",
            "                    m = v;",
            "                    best = dy * size + dx;",
            "                }",
            "            }",
            "        }",
            "        y[i] = m;",
            "        arg[i] = (float) best;",
            "    }",
            "}",
            "",
            "/* One thread per input element: its window's gradient if it was that window's maximum, else 0. */",
            "__global__ void rs_max_pool_backward(const float* dy, const float* arg, float* dx, int n, int h, int w,",
            "        int c, int size, int oh, int ow) {",
            "    long long total = (long long) n * h * w * c;",
            "    RS_FOR(i, total) {",
            "        int ch = (int) (i % c);",
            "        long long p = i / c;",
            "        int ix = (int) (p % w);",
            "        p /= w;",
            "        int iy = (int) (p % h);",
            "        long long img = p / h;",
            "        int oy = iy / size;",
            "        int ox = ix / size;",
            "        float v = 0.0f;",
            "        if (oy < oh && ox < ow) {",
            "            long long o = ((img * oh + oy) * ow + ox) * c + ch;",
            "            int tap = (iy - oy * size) * size + (ix - ox * size);",
            "            if (arg[o] == (float) tap) v = dy[o];",
            "        }",
            "        dx[i] = v;",
            "    }",
            "}",
            "",
            "}",
            "");

    private final CUmodule module;
    final CUfunction fill;
    final CUfunction scale;
    final CUfunction divide;
    final CUfunction axpy;
    final CUfunction reduce;
    final CUfunction relu;
    final CUfunction reluBackward;
    final CUfunction addBias;
    final CUfunction columnSums;
    final CUfunction softmaxXent;
    final CUfunction sgd;
    final CUfunction im2col;
    final CUfunction col2im;
    final CUfunction maxPool;
    final CUfunction maxPoolBackward;
    private boolean closed;

    /** Compiles and loads the kernels for a device of compute capability major.minor (its context current). */
    CudaKernels(int major, int minor) {
        module = load(major * 10 + minor);
        try {
            fill = function("rs_fill");
            scale = function("rs_scale");
            divide = function("rs_divide");
            axpy = function("rs_axpy");
            reduce = function("rs_reduce");
            relu = function("rs_relu");
            reluBackward = function("rs_relu_backward");
            addBias = function("rs_add_bias");
            columnSums = function("rs_column_sums");
            softmaxXent = function("rs_softmax_xent");
            sgd = function("rs_sgd");
            im2col = function("rs_im2col");
            col2im = function("rs_col2im");
            maxPool = function("rs_max_pool");
            maxPoolBackward = function("rs_max_pool_backward");
        } catch (RuntimeException e) {
            JCudaDriver.cuModuleUnload(module);
            throw e;
        }
    }

    private CUfunction function(String name) {
        CUfunction f = new CUfunction();
        Cuda.checkDriver(JCudaDriver.cuModuleGetFunction(f, module, name), "cuModuleGetFunction(" + name + ")");
        return f;
    }

    /** Launches {@code f} over {@code n} work items on {@code stream}; nothing for n = 0. */
    static void launch(CUfunction f, String name, long n, CUstream stream, Pointer params) {
        if (n <= 0) {
            return;
        }
        int blocks = (int) Math.min((n + BLOCK - 1) / BLOCK, MAX_BLOCKS);
        Cuda.checkDriver(JCudaDriver.cuLaunchKernel(f, blocks, 1, 1, BLOCK, 1, 1, 0, stream, params, null),
                "cuLaunchKernel(" + name + ")");
    }

    private static CUmodule load(int cc) {
        int arch = pickArch(cc);
        boolean native_ = arch == cc;
        // A cubin for the device's own architecture needs no JIT (and no driver new enough for NVRTC's PTX ISA);
        // a device newer than NVRTC gets PTX for the newest architecture NVRTC knows, which the driver JIT-compiles.
        String[] options = {native_ ? "--gpu-architecture=sm_" + arch : "--gpu-architecture=compute_" + arch};
        nvrtcProgram program = new nvrtcProgram();
        Cuda.checkNvrtc(JNvrtc.nvrtcCreateProgram(program, SOURCE, "ringsgd_kernels.cu", 0, null, null),
                "nvrtcCreateProgram", null);
        try {
            int rc = JNvrtc.nvrtcCompileProgram(program, options.length, options);
            String[] logText = new String[1];
            JNvrtc.nvrtcGetProgramLog(program, logText);
            Cuda.checkNvrtc(rc, "nvrtcCompileProgram " + Arrays.toString(options), logText[0]);
            byte[] image;
            if (native_) {
                long[] size = new long[1];
                Cuda.checkNvrtc(JNvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize", null);
                image = new byte[(int) size[0]];
                Cuda.checkNvrtc(JNvrtc.nvrtcGetCUBIN(program, image), "nvrtcGetCUBIN", null);
            } else {
                String[] ptx = new String[1];
                Cuda.checkNvrtc(JNvrtc.nvrtcGetPTX(program, ptx), "nvrtcGetPTX", null);
                byte[] text = ptx[0].getBytes(StandardCharsets.US_ASCII);
                image = Arrays.copyOf(text, text.length + 1); // the driver reads PTX as a NUL-terminated string
            }
            CUmodule m = new CUmodule();
            Cuda.checkDriver(JCudaDriver.cuModuleLoadData(m, image), "cuModuleLoadData ("
                    + (native_ ? "cubin sm_" : "PTX compute_") + arch + ")");
            log.debug("compiled the ringsgd kernels for {} {}", native_ ? "sm" : "compute", arch);
            return m;
        } finally {
            JNvrtc.nvrtcDestroyProgram(program);
        }
    }

    /** The newest architecture NVRTC supports that is not newer than the device's. */
    private static int pickArch(int cc) {
        int[] n = new int[1];
        int rc = JNvrtc.nvrtcGetNumSupportedArchs(n);
        if (rc != 0 || n[0] <= 0) {
            return cc;
        }
        int[] archs = new int[n[0]];
        if (JNvrtc.nvrtcGetSupportedArchs(archs) != 0) {
            return cc;
        }
        int best = -1;
        for (int a : archs) {
            if (a <= cc && a > best) {
                best = a;
            }
        }
        if (best < 0) {
            throw new DeviceException("the device has compute capability " + cc / 10 + "." + cc % 10
                    + ", older than every architecture this NVRTC supports " + Arrays.toString(archs)
                    + ": use an older CUDA toolkit or the host device");
        }
        return best;
    }

    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            JCudaDriver.cuModuleUnload(module);
        }
    }
}

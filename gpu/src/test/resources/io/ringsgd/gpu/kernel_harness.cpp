// Test harness: runs the CUDA kernel source of CudaKernels as host C++ (CudaKernelSourceTest).
// Every (block, thread) of a small grid runs in turn, which is exact for these kernels (no thread communicates),
// so the grid-stride indexing, the operand order and the rounding of the real kernel source are what is checked.
// The rounding intrinsics are plain IEEE operations here; compile with -ffp-contract=off.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <vector>

struct Dim3 {
    unsigned x, y, z;
};
static Dim3 blockIdx = {0, 0, 0};
static Dim3 threadIdx = {0, 0, 0};
static Dim3 blockDim = {4, 1, 1};
static Dim3 gridDim = {3, 1, 1};

#define __global__
#define __device__
#define __forceinline__ inline

static float __fadd_rn(float a, float b) { volatile float r = a + b; return r; }
static float __fsub_rn(float a, float b) { volatile float r = a - b; return r; }
static float __fmul_rn(float a, float b) { volatile float r = a * b; return r; }
static float __fdiv_rn(float a, float b) { volatile float r = a / b; return r; }
static float __int_as_float(int i) { float f; std::memcpy(&f, &i, 4); return f; }
static float __uint_as_float(unsigned i) { float f; std::memcpy(&f, &i, 4); return f; }
static int __float_as_int(float f) { int i; std::memcpy(&i, &f, 4); return i; }

#include "kernels.cu"

#define LAUNCH(call)                                                                       \
    for (blockIdx.x = 0; blockIdx.x < gridDim.x; blockIdx.x++)                             \
        for (threadIdx.x = 0; threadIdx.x < blockDim.x; threadIdx.x++) {                   \
            call;                                                                          \
        }

static std::vector<float> readVector(FILE* f) {
    int n = 0;
    if (fread(&n, 4, 1, f) != 1) return std::vector<float>();
    std::vector<float> v(n);
    if (n > 0 && fread(v.data(), 4, n, f) != (size_t) n) v.clear();
    return v;
}

static void writeVector(FILE* f, const std::vector<float>& v) {
    int n = (int) v.size();
    fwrite(&n, 4, 1, f);
    fwrite(v.data(), 4, n, f);
}

// Inputs: a, b (reduce operands), x, y, bias, g (rows x cols = 37 x 13), logits, labels, then for convolution and
// pooling: images (2 x 5x6x3 NHWC), a column-matrix gradient (3x3 kernel, pad 1), a pooling output gradient (2x2).
// Outputs, in order: reduce SUM/PROD/MIN/MAX, fill, scale, divide, axpy, relu, relu backward, add bias,
// column sums, softmax gradient, softmax loss, softmax gradient computed in place, then SGD on w = x, g, v = y:
// plain (w), momentum (w, v), Nesterov (w, v); then im2col, col2im, max pool values, max pool argmax, max pool
// backward.
int main(int argc, char** argv) {
    if (argc != 3) return 2;
    FILE* in = fopen(argv[1], "rb");
    FILE* out = fopen(argv[2], "wb");
    if (!in || !out) return 3;
    std::vector<float> a = readVector(in), b = readVector(in), x = readVector(in), y = readVector(in);
    std::vector<float> bias = readVector(in), g = readVector(in), logits = readVector(in), labels = readVector(in);
    std::vector<float> images = readVector(in), dcol = readVector(in), pdy = readVector(in);
    int n = (int) a.size();
    for (int op = 0; op < 4; op++) {
        std::vector<float> d = b;
        LAUNCH(rs_reduce(a.data(), d.data(), n, op));
        writeVector(out, d);
    }
    int m = (int) x.size();
    { std::vector<float> v = x; LAUNCH(rs_fill(v.data() + 3, m - 6, 42.5f)); writeVector(out, v); }
    { std::vector<float> v = x; LAUNCH(rs_scale(v.data(), m, -1.7f)); writeVector(out, v); }
    { std::vector<float> v = x; LAUNCH(rs_divide(v.data(), m, 3.0f)); writeVector(out, v); }
    { std::vector<float> v = y; LAUNCH(rs_axpy(x.data(), v.data(), m, 0.3f)); writeVector(out, v); }
    { std::vector<float> v(m); LAUNCH(rs_relu(x.data(), v.data(), m)); writeVector(out, v); }
    { std::vector<float> v = g; LAUNCH(rs_relu_backward(x.data(), v.data(), m)); writeVector(out, v); }
    int rows = 37, cols = (int) bias.size();
    { std::vector<float> v = x; LAUNCH(rs_add_bias(v.data(), bias.data(), rows, cols)); writeVector(out, v); }
    { std::vector<float> v(cols); LAUNCH(rs_column_sums(x.data(), v.data(), rows, cols)); writeVector(out, v); }
    int sr = (int) labels.size(), sc = (int) logits.size() / sr;
    {
        std::vector<float> gr(sr * sc), loss(sr);
        LAUNCH(rs_softmax_xent(logits.data(), labels.data(), gr.data(), loss.data(), sr, sc, 1.0f / sr));
        writeVector(out, gr);
        writeVector(out, loss);
    }
    {
        std::vector<float> gr = logits, loss(sr);
        LAUNCH(rs_softmax_xent(gr.data(), labels.data(), gr.data(), loss.data(), sr, sc, 1.0f / sr));
        writeVector(out, gr);
    }
    for (int mode = 0; mode < 3; mode++) {
        std::vector<float> w = x, v = y;
        LAUNCH(rs_sgd(w.data(), g.data(), v.data(), m, 0.05f, mode == 0 ? 0.0f : 0.9f, 1e-3f, mode));
        writeVector(out, w);
        if (mode > 0) writeVector(out, v);
    }
    {
        const int ni = 2, h = 5, w = 6, c = 3, k = 3, pad = 1, oh = h + 2 * pad - k + 1, ow = w + 2 * pad - k + 1;
        std::vector<float> col((size_t) ni * oh * ow * k * k * c);
        LAUNCH(rs_im2col(images.data(), col.data(), ni, h, w, c, k, pad, oh, ow));
        writeVector(out, col);
        std::vector<float> dx(images.size());
        LAUNCH(rs_col2im(dcol.data(), dx.data(), ni, h, w, c, k, pad, oh, ow));
        writeVector(out, dx);
        const int size = 2, ph = h / size, pw = w / size;
        std::vector<float> py((size_t) ni * ph * pw * c), arg(py.size()), pdx(images.size());
        LAUNCH(rs_max_pool(images.data(), py.data(), arg.data(), ni, h, w, c, size, ph, pw));
        writeVector(out, py);
        writeVector(out, arg);
        LAUNCH(rs_max_pool_backward(pdy.data(), arg.data(), pdx.data(), ni, h, w, c, size, ph, pw));
        writeVector(out, pdx);
    }
    fclose(out);
    fclose(in);
    return 0;
}

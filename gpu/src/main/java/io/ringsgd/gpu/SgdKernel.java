package io.ringsgd.gpu;

/**
 * The SGD-with-momentum update, in one place for every Java path: the trainers' CPU optimizer and the host device
 * ({@link Device#sgdStep}) both call it, so they agree bit for bit; the CUDA kernel writes the same expressions, and
 * {@code CudaKernelSourceTest} checks that it rounds alike. PyTorch's formulation: d = g + λ·w; v = μ·v + d; then
 * w −= lr·v (classic) or w −= lr·(d + μ·v) (Nesterov); with μ = 0, plain SGD that leaves {@code v} untouched.
 */
public final class SgdKernel {
    private SgdKernel() {
    }

    /**
     * One step on {@code n} parameters {@code w[wo..]} with gradient {@code g[go..]} and velocity {@code v[vo..]}
     * (unused, may be null, when {@code mu == 0}). Java rounds every operation on its own, which is what makes the
     * result the same on every path.
     */
    public static void step(float[] w, int wo, float[] g, int go, float[] v, int vo, int n, float lr, float mu,
            float wd, boolean nesterov) {
        if (mu == 0f) {
            for (int i = 0; i < n; i++) {
                w[wo + i] = w[wo + i] - lr * (g[go + i] + wd * w[wo + i]);
            }
        } else if (nesterov) {
            for (int i = 0; i < n; i++) {
                float d = g[go + i] + wd * w[wo + i];
                float vi = mu * v[vo + i] + d;
                v[vo + i] = vi;
                w[wo + i] = w[wo + i] - lr * (d + mu * vi);
            }
        } else {
            for (int i = 0; i < n; i++) {
                float d = g[go + i] + wd * w[wo + i];
                float vi = mu * v[vo + i] + d;
                v[vo + i] = vi;
                w[wo + i] = w[wo + i] - lr * vi;
            }
        }
    }
}

package io.ringsgd.gpu;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CUDA C source of {@link CudaKernels} (element-wise, MLP, SGD, im2col, col2im and pooling kernels), compiled as
 * host C++ by the system's C++ compiler and run over an emulated
 * 3×4 grid, against the host device's kernels: bit for bit (the softmax within the accuracy of expf). This checks the
 * real kernel code (indexing, grid-stride loops, op codes, Java min/max semantics, no FMA contraction) on machines
 * without a GPU. Skipped, with the reason, where no C++ compiler is installed.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CudaKernelSourceTest {
    private static final String CXX = System.getenv().getOrDefault("CXX", "g++");

    private static boolean run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            System.out.println(String.join(" ", command) + " exited with " + rc + ":\n" + output);
        }
        return rc == 0;
    }

    private static boolean compilerAvailable(Path dir) {
        try {
            return run(dir, CXX, "--version");
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    private static float[] random(long seed, int n) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 4 - 2);
        }
        return a;
    }

    private static byte[] encode(float[]... vectors) {
        int bytes = 0;
        for (float[] v : vectors) {
            bytes += 4 + 4 * v.length;
        }
        ByteBuffer b = ByteBuffer.allocate(bytes).order(ByteOrder.LITTLE_ENDIAN);
        for (float[] v : vectors) {
            b.putInt(v.length);
            for (float f : v) {
                b.putFloat(f);
            }
        }
        return b.array();
    }

    private static List<float[]> decode(byte[] data) {
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        List<float[]> out = new ArrayList<>();
        while (b.remaining() >= 4) {
            float[] v = new float[b.getInt()];
            for (int i = 0; i < v.length; i++) {
                v[i] = b.getFloat();
            }
            out.add(v);
        }
        return out;
    }

    private static void assertSame(String what, float[] cuda, float[] host, double tolerance) {
        assertThat(cuda).as(what).hasSameSizeAs(host);
        for (int i = 0; i < host.length; i++) {
            boolean ok = tolerance == 0 ? Float.floatToRawIntBits(cuda[i]) == Float.floatToRawIntBits(host[i])
                    : Float.isNaN(host[i]) ? Float.isNaN(cuda[i]) : Math.abs(cuda[i] - host[i]) <= tolerance;
            if (!ok) {
                throw new AssertionError(what + ": element " + i + " is " + cuda[i] + " in the CUDA source, "
                        + host[i] + " on the host");
            }
        }
    }

    /**
     * Where NVIDIA's compiler is installed (no GPU needed), the kernel source compiles for a device, as NVRTC compiles
     * it at run time, with every kernel the device looks up.
     */
    @Test
    void kernelSourceCompilesWithNvccWhereInstalled(@TempDir Path dir) throws Exception {
        String nvcc = System.getenv().getOrDefault("NVCC", "nvcc");
        boolean present;
        try {
            present = run(dir, nvcc, "--version");
        } catch (IOException e) {
            present = false;
        }
        Assumptions.assumeTrue(present, () -> "no CUDA compiler (" + nvcc + ") to compile the kernel source");
        Files.writeString(dir.resolve("kernels.cu"), CudaKernels.SOURCE);
        assertThat(run(dir, nvcc, "--ptx", "-arch=compute_75", "-o", "kernels.ptx", "kernels.cu"))
                .as("nvcc compiles the kernel source").isTrue();
        String ptx = Files.readString(dir.resolve("kernels.ptx"));
        for (String kernel : new String[] {"rs_fill", "rs_scale", "rs_divide", "rs_axpy", "rs_reduce", "rs_relu",
            "rs_relu_backward", "rs_add_bias", "rs_column_sums", "rs_sgd", "rs_softmax_xent", "rs_im2col",
            "rs_col2im", "rs_max_pool", "rs_max_pool_backward"}) {
            assertThat(ptx).as(kernel).contains(".entry " + kernel + "(");
        }
    }

    @Test
    void kernelSourceRunAsHostCodeEqualsTheHostKernels(@TempDir Path dir) throws Exception {
        Assumptions.assumeTrue(compilerAvailable(dir), () -> "no C++ compiler (" + CXX + ") to build the kernel"
                + " source as host code");
        Files.writeString(dir.resolve("kernels.cu"), CudaKernels.SOURCE);
        try (InputStream harness = getClass().getResourceAsStream("kernel_harness.cpp")) {
            Files.write(dir.resolve("kernel_harness.cpp"), harness.readAllBytes());
        }
        assertThat(run(dir, CXX, "-std=c++11", "-O1", "-ffp-contract=off", "-Wall", "-o", "kernel_harness",
                "kernel_harness.cpp")).as("the kernel source compiles as C++").isTrue();

        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1.5f, -2.25f,
            Float.MIN_VALUE, 3e38f};
        int pairs = special.length * special.length;
        float[] a = new float[pairs + 300];
        float[] b = new float[pairs + 300];
        for (int i = 0; i < special.length; i++) {
            for (int j = 0; j < special.length; j++) {
                a[i * special.length + j] = special[i];
                b[i * special.length + j] = special[j];
            }
        }
        System.arraycopy(random(1, 300), 0, a, pairs, 300);
        System.arraycopy(random(2, 300), 0, b, pairs, 300);
        int rows = 37;
        int cols = 13;
        int m = rows * cols;
        float[] x = random(3, m);
        x[5] = Float.NaN;
        x[6] = -0f;
        float[] y = random(4, m);
        float[] bias = random(5, cols);
        float[] g = random(6, m);
        int sr = 8;
        int sc = 10;
        float[] logits = random(7, sr * sc);
        for (int j = 0; j < sc; j++) {
            logits[sc + j] += 40f;
        }
        float[] labels = {3, 0, 9, 5, -1, 10, 2.5f, Float.NaN};
        float[] images = random(8, 2 * 5 * 6 * 3);
        images[0] = 1.25f;
        images[3] = 1.25f; // a tie inside the first pooling window of channel 0
        float[] dcol = random(9, 2 * 5 * 6 * 3 * 3 * 3);
        float[] pdy = random(10, 2 * 2 * 3 * 3);
        Files.write(dir.resolve("in.bin"), encode(a, b, x, y, bias, g, logits, labels, images, dcol, pdy));
        assertThat(run(dir, dir.resolve("kernel_harness").toString(), "in.bin", "out.bin")).isTrue();
        List<float[]> out = decode(Files.readAllBytes(dir.resolve("out.bin")));
        assertThat(out).hasSize(25);

        String[] ops = {"SUM", "PROD", "MIN", "MAX"};
        for (int op = 0; op < 4; op++) {
            float[] d = b.clone();
            HostKernels.reduce(a, 0, d, 0, a.length, op);
            assertSame("reduce " + ops[op], out.get(op), d, 0);
        }
        float[] v = x.clone();
        HostKernels.fill(v, 3, m - 6, 42.5f);
        assertSame("fill", out.get(4), v, 0);
        v = x.clone();
        HostKernels.scale(v, 0, m, -1.7f);
        assertSame("scale", out.get(5), v, 0);
        v = x.clone();
        HostKernels.divide(v, 0, m, 3f);
        assertSame("divide", out.get(6), v, 0);
        v = y.clone();
        HostKernels.axpy(0.3f, x, 0, v, 0, m);
        assertSame("axpy", out.get(7), v, 0);
        v = new float[m];
        HostKernels.relu(x, 0, v, 0, m);
        assertSame("relu", out.get(8), v, 0);
        v = g.clone();
        HostKernels.reluBackward(x, 0, v, 0, m);
        assertSame("relu backward", out.get(9), v, 0);
        v = x.clone();
        HostKernels.addBias(v, 0, rows, cols, bias, 0);
        assertSame("add bias", out.get(10), v, 0);
        v = new float[cols];
        HostKernels.columnSums(x, 0, rows, cols, v, 0);
        assertSame("column sums", out.get(11), v, 0);
        float[] grad = new float[sr * sc];
        float[] loss = new float[sr];
        HostKernels.softmaxCrossEntropy(logits, 0, sr, sc, labels, 0, 1f / sr, grad, 0, loss, 0);
        assertSame("softmax gradient", out.get(12), grad, 1e-6);
        assertSame("softmax loss", out.get(13), loss, 1e-5);
        assertSame("softmax gradient in place", out.get(14), grad, 1e-6);
        String[] modes = {"plain", "momentum", "nesterov"};
        int next = 15;
        for (int mode = 0; mode < 3; mode++) {
            float[] w = x.clone();
            float[] vel = y.clone();
            SgdKernel.step(w, 0, g, 0, vel, 0, m, 0.05f, mode == 0 ? 0f : 0.9f, 1e-3f, mode == 2);
            assertSame("sgd " + modes[mode] + " parameters", out.get(next++), w, 0);
            if (mode > 0) {
                assertSame("sgd " + modes[mode] + " velocity", out.get(next++), vel, 0);
            }
        }
        float[] col = new float[dcol.length];
        ConvKernels.im2col(images, 0, 2, 5, 6, 3, 3, 1, col, 0);
        assertSame("im2col", out.get(next++), col, 0);
        float[] dx = new float[images.length];
        ConvKernels.col2im(dcol, 0, 2, 5, 6, 3, 3, 1, dx, 0);
        assertSame("col2im", out.get(next++), dx, 0);
        float[] py = new float[pdy.length];
        float[] arg = new float[pdy.length];
        ConvKernels.maxPoolWindow(images, 0, 2, 5, 6, 3, 2, py, 0, arg, 0);
        assertSame("max pool", out.get(next++), py, 0);
        assertSame("max pool argmax", out.get(next++), arg, 0);
        float[] pdx = new float[images.length];
        ConvKernels.maxPoolBackwardWindow(pdy, 0, arg, 0, 2, 5, 6, 3, 2, pdx, 0);
        assertSame("max pool backward", out.get(next++), pdx, 0);
        for (int r = 4; r < sr; r++) {
            assertThat(out.get(13)[r]).as("loss of row %d with label %s", r, labels[r]).isNaN();
        }
    }
}

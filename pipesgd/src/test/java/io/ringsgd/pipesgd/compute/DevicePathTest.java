package io.ringsgd.pipesgd.compute;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Devices;
import io.ringsgd.gpu.HostDevice;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.model.DeviceConvNet;
import io.ringsgd.pipesgd.model.DeviceFeedForward;
import io.ringsgd.pipesgd.model.DevicePass;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Mlp;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.optim.SgdMomentum;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.ParameterDigest;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import io.ringsgd.pipesgd.train.TrainingStarted;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Choosing the device ({@code --device}), and the pieces of the device path against the CPU: the device model's
 * gradient, the backends' vector arithmetic, SGD step and AllReduce.
 */
@Timeout(60)
class DevicePathTest {
    private static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);

    private static TrainConfig.Builder small(int workers) {
        return TrainConfig.builder().trainer("pipe").workers(workers).data(DATA).model("mlp").hidden(8).epochs(1)
                .batch(10).lr(0.05).momentum(0.9).weightDecay(1e-3).seed(17);
    }

    private static List<TrainResult> train(TrainConfig cfg, TrainingListener l) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg, l));
    }

    private static float[] random(long seed, int n, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
        }
        return a;
    }

    // ------------------------------------------------------------------------------------------ choosing

    @Test
    void autoResolvesToTheCpuHereAndSaysWhy() {
        Assumptions.assumeFalse(Devices.cudaAvailable(), "this machine has a CUDA device");
        TrainConfig cfg = small(2).build();
        assertThat(cfg.device()).isEqualTo(ComputeDevice.AUTO);
        ResolvedDevice d = cfg.resolveDevice();
        assertThat(d.device()).isEqualTo(ComputeDevice.CPU);
        assertThat(d.reason()).startsWith("no CUDA device: ").contains(Devices.cudaUnavailableReason());
        assertThat(d.summary()).isEqualTo("device: cpu (no CUDA device: " + Devices.cudaUnavailableReason() + ")");
        List<TrainingStarted> started = new ArrayList<>();
        List<TrainResult> rs = train(cfg, new TrainingListener() {
            @Override
            public synchronized void onStart(TrainingStarted s) {
                started.add(s);
            }
        });
        assertThat(started).hasSize(2);
        for (TrainingStarted s : started) {
            assertThat(s.device()).isEqualTo("cpu");
            assertThat(s.deviceSummary()).startsWith("device: cpu (no CUDA device: ");
        }
        assertThat(rs).allSatisfy(r -> assertThat(r.device()).isEqualTo("cpu"));
    }

    @Test
    void cudaWithoutAGpuIsAOneLineErrorBeforeAnyWork() {
        Assumptions.assumeFalse(Devices.cudaAvailable(), "this machine has a CUDA device");
        TrainConfig cfg = small(2).device("cuda").build();
        String expected = "--device cuda but no CUDA device: " + Devices.cudaUnavailableReason()
                + "; use --device auto or cpu";
        assertThatThrownBy(cfg::checkEnvironment).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(expected).hasMessageNotContaining("\n");
        List<TrainingStarted> started = new ArrayList<>();
        assertThatThrownBy(() -> train(cfg, new TrainingListener() {
            @Override
            public synchronized void onStart(TrainingStarted s) {
                started.add(s);
            }
        })).isInstanceOf(IllegalArgumentException.class).hasMessage(expected);
        assertThat(started).as("no rank started").isEmpty();
    }

    @Test
    void deviceSettingsParseAndCustomModelsStayOnTheCpu() {
        assertThat(ComputeDevice.parse(" Host-Device ")).isEqualTo(ComputeDevice.HOST_DEVICE);
        assertThat(ComputeDevice.parse("CPU")).isEqualTo(ComputeDevice.CPU);
        assertThat(ComputeDevice.parse("cuda")).isEqualTo(ComputeDevice.CUDA);
        assertThatThrownBy(() -> small(1).device("tpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown device 'tpu': use --device auto, cpu, cuda or host-device");
        assertThat(small(1).device("host-device").build().toString()).contains("device=host-device");
        assertThat(small(1).build().toString()).doesNotContain("device=");
        assertThat(small(1).device("host-device").build().resolveDevice().device())
                .isEqualTo(ComputeDevice.HOST_DEVICE);
        assertThat(small(1).device("cpu").build().resolveDevice().summary()).isEqualTo("device: cpu (--device cpu)");

        TrainConfig.Builder custom = small(1).modelFactory(Models.mlp(8));
        assertThatThrownBy(() -> custom.device("host-device").build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("custom model").hasMessageEndingWith("use --device cpu or auto");
        ResolvedDevice auto = custom.device("auto").build().resolveDevice();
        assertThat(auto.device()).isEqualTo(ComputeDevice.CPU);
        assertThat(auto.reason()).contains("custom model");
    }

    @Test
    void listenersSayWhetherTheyReadTheParameters() {
        TrainingListener reads = new TrainingListener() {
            @Override
            public void onParametersUpdated(long update, float[] params) {
            }
        };
        TrainingListener ignores = new TrainingListener() {
            @Override
            public void onEpochEnd(io.ringsgd.pipesgd.train.EpochStats s) {
            }
        };
        assertThat(TrainingListener.NONE.observesParameters()).isFalse();
        assertThat(ignores.observesParameters()).isFalse();
        assertThat(reads.observesParameters()).isTrue();
        assertThat(TrainingListener.all(ignores, TrainingListener.NONE).observesParameters()).isFalse();
        assertThat(TrainingListener.all(ignores, reads).observesParameters()).isTrue();
    }

    // ------------------------------------------------------------------------------------------ the pieces

    @Test
    void deviceModelMatchesTheCpuModelOnTheFashionMnistMlpShape() {
        // 784-256-128-10 with a batch of 16 random samples: products of length up to 784 summed in another order,
        // and a float softmax instead of double, give relative differences of about 1e-6.
        Mlp cpu = new Mlp(784, new int[] {256, 128}, 10);
        int p = cpu.parameterCount();
        float[] w = new float[p];
        cpu.initialize(w, 5);
        Batch batch = new Batch(16, 784);
        batch.resize(16);
        float[] x = random(6, 16 * 784, 1.0);
        System.arraycopy(x, 0, batch.features(), 0, x.length);
        for (int i = 0; i < 16; i++) {
            batch.labels()[i] = i % 10;
        }
        float[] gCpu = new float[p];
        double lossCpu = cpu.lossAndGradient(w, batch, gCpu);
        Evaluation.Tally tCpu = new Evaluation.Tally();
        cpu.evaluateBatch(w, batch, tCpu);
        try (HostDevice d = HostDevice.asynchronous(); var s = d.createStream();
                DeviceFeedForward net = new DeviceFeedForward(cpu, d, s); var bw = d.upload(w);
                var bg = d.allocate(p)) {
            double loss = net.lossAndGradient(bw, batch, bg);
            float[] g = d.download(bg);
            Evaluation.Tally t = new Evaluation.Tally();
            net.evaluateBatch(bw, batch, t);
            assertThat(loss).isCloseTo(lossCpu, within(1e-5 * lossCpu));
            double maxG = 0;
            double maxDiff = 0;
            for (int i = 0; i < p; i++) {
                maxG = Math.max(maxG, Math.abs(gCpu[i]));
                maxDiff = Math.max(maxDiff, Math.abs(g[i] - gCpu[i]));
            }
            assertThat(maxG).isGreaterThan(1e-3);
            assertThat(maxDiff).isLessThan(1e-5 * maxG);
            assertThat(t.samples()).isEqualTo(16);
            assertThat(t.correct()).isEqualTo(tCpu.correct());
            assertThat(t.lossSum()).isCloseTo(tCpu.lossSum(), within(1e-5 * tCpu.lossSum()));
            // An empty batch has a zero gradient; a bad label is refused as on the CPU.
            batch.resize(0);
            assertThat(net.lossAndGradient(bw, batch, bg)).isZero();
            assertThat(d.download(bg)).containsOnly(0f);
            batch.resize(2);
            batch.labels()[1] = 10;
            assertThatThrownBy(() -> net.lossAndGradient(bw, batch, bg)).isInstanceOf(
                    IllegalArgumentException.class).hasMessageContaining("label 10");
        }
        Model custom = new Model() {
            @Override
            public String describe() {
                return "custom";
            }

            @Override
            public int inputSize() {
                return 1;
            }

            @Override
            public int classCount() {
                return 2;
            }

            @Override
            public int parameterCount() {
                return 1;
            }

            @Override
            public void initialize(float[] params, long seed) {
            }

            @Override
            public double lossAndGradient(float[] params, Batch b, float[] grad) {
                return 0;
            }

            @Override
            public void evaluateBatch(float[] params, Batch b, Evaluation.Tally tally) {
            }
        };
        assertThat(DeviceFeedForward.supports(custom)).isFalse();
        try (HostDevice d = HostDevice.create()) {
            assertThatThrownBy(() -> new DeviceFeedForward(custom, d, d.defaultStream()))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("built-in models");
        }
    }

    @Test
    void deviceConvNetMatchesTheCpuModelOnBothFashionMnistCnns() {
        // The real shapes: 28x28 images, both built-in networks. im2col, col2im and pooling are the same loops on
        // both paths; the products sum in another order and the softmax runs in float, as for the MLP.
        for (String name : new String[] {"cnn", "cnn-large"}) {
            Model cpu = Models.factory(name, new int[0]).create(784, 10);
            int p = cpu.parameterCount();
            int n = name.equals("cnn") ? 16 : 3;
            float[] w = new float[p];
            cpu.initialize(w, 5);
            Batch batch = new Batch(n, 784);
            batch.resize(n);
            float[] x = random(6, n * 784, 1.0);
            System.arraycopy(x, 0, batch.features(), 0, x.length);
            for (int i = 0; i < n; i++) {
                batch.labels()[i] = i % 10;
            }
            float[] gCpu = new float[p];
            double lossCpu = cpu.lossAndGradient(w, batch, gCpu);
            try (HostDevice d = HostDevice.asynchronous(); var s = d.createStream();
                    DevicePass net = DevicePass.create(cpu, d, s); var bw = d.upload(w); var bg = d.allocate(p)) {
                assertThat(net).isInstanceOf(DeviceConvNet.class);
                double loss = net.lossAndGradient(bw, batch, bg);
                float[] g = d.download(bg);
                assertThat(loss).as(name).isCloseTo(lossCpu, within(1e-5 * lossCpu));
                double maxG = 0;
                double maxDiff = 0;
                for (int i = 0; i < p; i++) {
                    maxG = Math.max(maxG, Math.abs(gCpu[i]));
                    maxDiff = Math.max(maxDiff, Math.abs(g[i] - gCpu[i]));
                }
                assertThat(maxG).as(name).isGreaterThan(1e-3);
                assertThat(maxDiff).as(name).isLessThan(1e-4 * maxG);
                if (name.equals("cnn")) {
                    // An evaluation batch larger than a chunk (64 samples) gives the CPU model's counts.
                    Batch big = new Batch(150, 784);
                    big.resize(150);
                    float[] bx = random(7, 150 * 784, 1.0);
                    System.arraycopy(bx, 0, big.features(), 0, bx.length);
                    for (int i = 0; i < 150; i++) {
                        big.labels()[i] = (i * 7) % 10;
                    }
                    Evaluation.Tally tCpu = new Evaluation.Tally();
                    Model fresh = Models.factory(name, new int[0]).create(784, 10);
                    fresh.evaluateBatch(w, big, tCpu);
                    Evaluation.Tally t = new Evaluation.Tally();
                    net.evaluateBatch(bw, big, t);
                    assertThat(t.samples()).isEqualTo(150);
                    assertThat(t.correct()).isEqualTo(tCpu.correct());
                    assertThat(t.lossSum()).isCloseTo(tCpu.lossSum(), within(1e-5 * tCpu.lossSum()));
                }
            }
        }
    }

    @Test
    void backendsComputeTheSameBitsForVectorArithmeticAndTheSgdStep() {
        Model model = new Mlp(12, new int[] {8}, 3);
        int n = model.parameterCount();
        for (boolean nesterov : new boolean[] {false, true}) {
            float[] w0 = random(1, n, 1);
            float[] g = random(2, n, 0.1);
            float[] x = random(3, n, 1);
            float[] hostW = w0.clone();
            ComputeBackend host = ComputeBackend.host(model, hostW, new SgdMomentum(n, 0.9, nesterov, 1e-3));
            ComputeBackend dev = ComputeBackend.device(HostDevice.asynchronous(), true, model, w0, 0.9, nesterov,
                    1e-3);
            try (host; dev) {
                List<float[]> outs = new ArrayList<>();
                for (ComputeBackend b : new ComputeBackend[] {host, dev}) {
                    ModelVector gv = b.newVector();
                    ModelVector xv = b.newVector();
                    ModelVector y = b.newVector();
                    b.upload(g, gv);
                    b.upload(x, xv);
                    b.copy(xv, y);
                    b.axpy(-1f, gv, y);
                    b.scale(y, 0.37f);
                    b.axpy(1f, xv, y);
                    for (int step = 0; step < 3; step++) {
                        b.step(gv, 0.05 * (step + 1));
                    }
                    outs.add(b.toHost(y));
                    outs.add(b.toHost(b.parameters()));
                    outs.add(b.toHost(b.optimizerState().get("momentum")));
                }
                for (int i = 0; i < 3; i++) {
                    assertThat(ParameterDigest.sha256(outs.get(3 + i))).as("output %d, nesterov %s", i, nesterov)
                            .isEqualTo(ParameterDigest.sha256(outs.get(i)));
                }
                assertThat(host.parameters().array()).as("the CPU backend updates the caller's array")
                        .isSameAs(hostW);
                assertThatThrownBy(() -> dev.parameters().array()).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("device memory");
                assertThatThrownBy(() -> dev.copy(host.parameters(), dev.parameters()))
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("another backend");
            }
        }
    }

    @Test
    void deviceAllreduceOfAVectorEqualsTheHostOneOnTwoRanks() {
        // On two ranks every algorithm computes v0 + v1 (then / 2), so host and device results are bit-identical.
        Model model = new Mlp(12, new int[] {8}, 3);
        int n = model.parameterCount();
        List<String[]> out = Communicators.runLocal(2, comm -> {
            float[] v = random(10 + comm.rank(), n, 1);
            String[] digests = new String[3];
            ComputeBackend host = ComputeBackend.host(model, new float[n], new SgdMomentum(n, 0, false, 0));
            ComputeBackend dev = ComputeBackend.device(HostDevice.asynchronous(), true, model, new float[n], 0,
                    false, 0);
            try (host; dev) {
                int i = 0;
                for (ComputeBackend b : new ComputeBackend[] {host, dev}) {
                    ModelVector mv = b.newVector();
                    b.upload(v, mv);
                    InFlight f = b.iallreduce(comm, mv, ReduceOp.AVG, CollectiveOptions.DEFAULT, null);
                    f.await();
                    assertThat(f.isDone()).isTrue();
                    digests[i++] = ParameterDigest.sha256(b.toHost(mv));
                }
                // The compressed path of the device backend: download, compressed host ring, upload in await().
                ModelVector mv = dev.newVector();
                dev.upload(v, mv);
                dev.iallreduce(comm, mv, ReduceOp.AVG, CollectiveOptions.compressed(
                        io.ringsgd.collectives.Compression.FP16), null).await();
                digests[2] = ParameterDigest.sha256(dev.toHost(mv));
            }
            return digests;
        });
        assertThat(out.get(0)[1]).isEqualTo(out.get(0)[0]);
        assertThat(out.get(1)[0]).isEqualTo(out.get(0)[0]);
        assertThat(out.get(1)[1]).isEqualTo(out.get(0)[0]);
        assertThat(out.get(1)[2]).as("compressed results are identical on every rank").isEqualTo(out.get(0)[2]);
        assertThat(out.get(0)[2]).as("fp16 rounds").isNotEqualTo(out.get(0)[0]);
    }

    @Test
    void softmaxRegressionRunsOnTheDevicePathToo() {
        TrainConfig dev = small(2).model("softmax").option(PipeSgdTrainer.WIDTH, 2).device("host-device").build();
        TrainResult a = train(dev, TrainingListener.NONE).get(0);
        TrainResult b = train(dev.toBuilder().device("cpu").build(), TrainingListener.NONE).get(0);
        assertThat(a.model()).startsWith("softmax");
        float[] pa = a.parameters();
        float[] pb = b.parameters();
        double max = 0;
        for (int i = 0; i < pa.length; i++) {
            max = Math.max(max, Math.abs(pa[i] - pb[i]));
        }
        assertThat(max).isLessThan(1e-5);
        assertThat(a.finalTestAccuracy()).isEqualTo(b.finalTestAccuracy()).isGreaterThan(0.6);
    }
}

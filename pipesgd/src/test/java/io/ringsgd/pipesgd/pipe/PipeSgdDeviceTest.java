package io.ringsgd.pipesgd.pipe;

import static io.ringsgd.gpu.FloatArrays.maxAbs;
import static io.ringsgd.gpu.FloatArrays.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.pipesgd.compute.HostDeviceModel;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.train.ParameterDigest;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pipe-SGD on the device path ({@code --device host-device}: parameters, gradient slots and momentum in the Java host
 * device's memory, the device AllReduce, the device SGD step) against a serial reference of the same math, the
 * bit-identity of replicas, and the CPU path.
 */
@Timeout(120)
class PipeSgdDeviceTest {

    static TrainConfig.Builder device(int workers) {
        return PipeSgdTest.small(workers).device("host-device");
    }

    /** The serial reference computing the device path's gradients (a custom model, so it runs on the CPU path). */
    static float[] reference(TrainConfig cfg, int width) {
        TrainConfig ref = cfg.toBuilder().device("cpu").modelFactory(HostDeviceModel.wrap(Models.mlp(8))).build();
        return SerialReference.run(ref, width);
    }

    @Test
    void equalsTheSerialReferenceOfTheDeviceMathBitForBitOnOneAndTwoRanks() {
        // The reference averages (g0 + g1) / 2 and steps with the CPU optimizer; the device ring adds the same two
        // gradients (one commutative addition), divides by 2 on the device, and steps with Device.sgdStep, which
        // rounds like the CPU optimizer. So equality here checks the device plumbing and the device SGD step.
        for (int workers = 1; workers <= 2; workers++) {
            for (int width = 1; width <= 3; width++) {
                TrainConfig cfg = device(workers).option(PipeSgdTrainer.WIDTH, width).build();
                TrainResult r = PipeSgdTest.train(cfg).get(0);
                assertThat(r.device()).startsWith("host (Java");
                assertThat(r.paramsSha256()).as("%d workers, width %d", workers, width)
                        .isEqualTo(ParameterDigest.sha256(reference(cfg, width)));
            }
        }
    }

    @Test
    void cnnOnTheDeviceEqualsTheSerialReferenceOfTheDeviceMathAndTheCpuPathToRounding() {
        // The convolutional network's device pass (im2col, gemm, col2im, pooling kernels) against a serial reference
        // that computes its gradients with the same device pass, bit for bit; then against the CPU model.
        for (int width = 1; width <= 2; width++) {
            TrainConfig cfg = PipeSgdTest.smallCnn(2).device("host-device").option(PipeSgdTrainer.WIDTH, width)
                    .build();
            TrainConfig ref = cfg.toBuilder().device("cpu").modelFactory(HostDeviceModel.wrap(Models.factory(
                    PipeSgdTest.CNN, new int[0]))).build();
            List<TrainResult> rs = PipeSgdTest.train(cfg);
            assertThat(rs.get(0).device()).startsWith("host (Java");
            String expected = ParameterDigest.sha256(SerialReference.run(ref, width));
            for (TrainResult r : rs) {
                assertThat(r.paramsSha256()).as("width %d rank %d", width, r.rank()).isEqualTo(expected);
            }
            TrainResult cpu = PipeSgdTest.train(cfg.toBuilder().device("cpu").build()).get(0);
            assertThat(maxAbsDiff(rs.get(0).parameters(), cpu.parameters())).as("width %d", width).isLessThan(1e-5);
            assertThat(maxAbs(cpu.parameters())).isGreaterThan(0.1);
        }
    }

    @Test
    void everyRankHoldsBitIdenticalParametersAfterEveryUpdate() {
        for (int workers = 1; workers <= 3; workers++) {
            for (int width = 1; width <= 2; width++) {
                TrainConfig cfg = device(workers).option(PipeSgdTrainer.WIDTH, width).build();
                List<List<String>> d = PipeSgdTest.digestsPerUpdate(cfg);
                int perEpoch = (600 / workers) / 10;
                assertThat(d.get(0)).as("one update per gradient").hasSize(2 * perEpoch);
                for (int r = 1; r < workers; r++) {
                    assertThat(d.get(r)).as("rank %d, %d workers, width %d", r, workers, width)
                            .containsExactlyElementsOf(d.get(0));
                }
            }
        }
    }

    @Test
    void compressedDevicePathStaysBitIdenticalAcrossRanks() {
        for (String c : new String[] {"fp16", "int8"}) {
            TrainConfig cfg = device(3).option(PipeSgdTrainer.WIDTH, 2).compression(c).build();
            List<List<String>> d = PipeSgdTest.digestsPerUpdate(cfg);
            assertThat(d.get(1)).as(c).containsExactlyElementsOf(d.get(0));
            assertThat(d.get(2)).as(c).containsExactlyElementsOf(d.get(0));
        }
    }

    @Test
    void matchesTheCpuPathToRounding() {
        // Same algorithm, data and initial parameters; only the arithmetic differs: the host device's gemm sums in
        // another order than netlib BLAS (and cuBLAS in yet another), and the device softmax runs in float where the
        // CPU model uses double, so each gradient differs by about an ulp. Measured on these runs (20-60 updates,
        // parameters of magnitude ~1): max |device − cpu| 1.2e-7, epoch and test losses within 4e-8 relative. The
        // bounds (1e-5 absolute, 1e-5 relative) leave two orders of magnitude for other JVMs and BLAS builds; a wrong
        // gradient, a lost update or a stale parameter read moves them by 1e-3 or more. Long runs drift further
        // apart (SGD does not contract rounding differences), so this is a check of short runs only.
        for (int workers = 1; workers <= 3; workers++) {
            TrainConfig dev = device(workers).option(PipeSgdTrainer.WIDTH, 2).evalEvery(10).build();
            TrainConfig cpu = dev.toBuilder().device("cpu").build();
            TrainResult a = PipeSgdTest.train(dev).get(0);
            TrainResult b = PipeSgdTest.train(cpu).get(0);
            assertThat(b.device()).isEqualTo("cpu");
            assertThat(maxAbsDiff(a.parameters(), b.parameters())).as("%d workers", workers)
                    .isLessThan(1e-5);
            assertThat(maxAbs(b.parameters())).isGreaterThan(0.1);
            for (int e = 0; e < b.epochStats().size(); e++) {
                assertThat(a.epochStats().get(e).meanLoss()).isCloseTo(b.epochStats().get(e).meanLoss(),
                        org.assertj.core.data.Percentage.withPercentage(1e-3));
            }
            for (int e = 0; e < b.evaluations().size(); e++) {
                assertThat(a.evaluations().get(e).testLoss()).isCloseTo(b.evaluations().get(e).testLoss(),
                        org.assertj.core.data.Percentage.withPercentage(1e-3));
                assertThat(a.evaluations().get(e).testAccuracy()).isEqualTo(b.evaluations().get(e).testAccuracy());
            }
        }
    }
}

package io.ringsgd.cocod;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.gpu.RequiresCuda;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * CoCoD-SGD with {@code --device cuda}: runs where a CUDA device works and is skipped, with the reason printed, where
 * none does. Every rank must end bit-identical; the CPU comparison allows 1e-4 for cuBLAS's summation order.
 */
@Timeout(180)
@ExtendWith(RequiresCuda.class)
class CocodCudaTest {

    @Test
    void trainsOnTheGpuWithBitIdenticalConsensusCloseToTheCpu() {
        TrainConfig cuda = CocodSgdTrainerTest.small(2, 2).evalEvery(9).device("cuda").build();
        List<TrainResult> rs = CocodSgdTrainerTest.train(cuda);
        assertThat(rs.get(0).device()).startsWith("cuda:");
        assertThat(rs.get(1).paramsSha256()).isEqualTo(rs.get(0).paramsSha256());
        TrainResult cpu = CocodSgdTrainerTest.train(cuda.toBuilder().device("cpu").build()).get(0);
        float[] a = rs.get(0).parameters();
        float[] b = cpu.parameters();
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            max = Math.max(max, Math.abs(a[i] - b[i]));
        }
        assertThat(max).isLessThan(1e-4);
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Bad arguments: IllegalArgumentException naming the problem, before anything is sent (the group stays usable). */
class ValidationTest {

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void badArgumentsAreRejectedAndTheGroupStaysUsable() {
        List<String> out = Communicators.runLocal(2,
                CommunicatorConfig.builder().timeout(Duration.ofSeconds(10)).build(), c -> {
                    float[] a = new float[10];
                    assertThatThrownBy(() -> c.allreduce(a, 0, -1, ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count must be >= 0");
                    assertThatThrownBy(() -> c.allreduce(a, 8, 5, ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
                    assertThatThrownBy(() -> c.allreduce(a, -1, 5, ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset");
                    assertThatThrownBy(() -> c.allreduce((float[]) null, ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
                    assertThatThrownBy(() -> c.allreduce(a, null))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("op is null");
                    assertThatThrownBy(() -> c.broadcast(a, 2))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root 2 is out of range");
                    assertThatThrownBy(() -> c.broadcast(a, -1))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("out of range");
                    assertThatThrownBy(() -> c.reduce(a, new float[10], ReduceOp.SUM, 5))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("root 5");
                    assertThatThrownBy(() -> c.allreduce(a, 0, new float[3], 0, 10, ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("past the end");
                    assertThatThrownBy(() -> c.allreduce(ElementBuffer.of(a, 0, 5), ElementBuffer.of(a, 2, 5),
                            ReduceOp.SUM, CollectiveOptions.DEFAULT))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlap");
                    assertThatThrownBy(() -> c.reduceScatter(new float[10], new float[4], ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size × recv count");
                    assertThatThrownBy(() -> c.allgather(new float[3], new float[5]))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("size × send count");
                    assertThatThrownBy(() -> c.allreduce(FloatBuffer.wrap(a).asReadOnlyBuffer(), ReduceOp.SUM))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
                    assertThatThrownBy(() -> c.allreduce(new double[4], 0, 4, ReduceOp.SUM,
                            CollectiveOptions.compressed(Compression.INT8)))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("float vectors only");
                    assertThatThrownBy(() -> c.allreduce(a, 0, 10, ReduceOp.MAX,
                            CollectiveOptions.compressed(Compression.FP16)))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SUM and AVG");
                    assertThatThrownBy(() -> c.allreduce(a, 0, 10, ReduceOp.SUM,
                            CollectiveOptions.compressed(Compression.INT8).withQuantizationError(new float[9])))
                            .isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining("sink holds 9 floats, the vector 10");
                    assertThatThrownBy(() -> c.allreduce(a, 0, 10, ReduceOp.SUM,
                            CollectiveOptions.compressed(Compression.INT8).withQuantizationError(a)))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("vector's own array");
                    assertThatThrownBy(() -> c.broadcast(ElementBuffer.of(a), 0,
                            CollectiveOptions.algorithm(Algorithm.RABENSEIFNER)))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("has no rabenseifner");
                    assertThatThrownBy(() -> c.allreduce(a, 0, 10, ReduceOp.SUM,
                            CollectiveOptions.algorithm(Algorithm.NATIVE)))
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no native algorithm");
                    return "ok";
                });
        assertThat(out).containsOnly("ok");
    }

    @Test
    void parsersNameTheProblem() {
        assertThatThrownBy(() -> Algorithm.parse("fast")).hasMessageContaining("unknown algorithm 'fast'");
        assertThat(Algorithm.parse("mpj-native")).isEqualTo(Algorithm.NATIVE);
        assertThatThrownBy(() -> Units.parseBytes("4x")).hasMessageContaining("not a byte size");
        assertThat(Units.parseBytes("4m")).isEqualTo(4 << 20);
        assertThat(Units.parseDuration("200us").toNanos()).isEqualTo(200_000);
        assertThat(Units.parseBandwidth("1gbit")).isEqualTo(125_000_000.0);
        assertThat(Units.parseBandwidth("2GB/s")).isEqualTo(2e9);
        assertThatThrownBy(() -> io.ringsgd.collectives.algorithm.AlgorithmTable.withOverrides("allreduce:0-4k"))
                .hasMessageContaining("bad algorithm table row");
        assertThat(io.ringsgd.collectives.algorithm.AlgorithmTable.withOverrides("allreduce:0-1m=tree")
                .select(CollectiveKind.ALLREDUCE, 1000, 4)).isEqualTo(Algorithm.TREE);
        assertThatThrownBy(() -> CommunicatorConfig.builder().window(1))
                .hasMessageContaining("window must be between 2");
    }
}

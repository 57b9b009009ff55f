package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 8: forcing an algorithm the transport lacks ({@link Algorithm#NATIVE} anywhere but MPJ Express), per
 * call or for the whole job, fails with IllegalArgumentException at the call, before anything is sent: the same rank's
 * next, valid call still matches the other ranks' first one.
 */
class UnsupportedAlgorithmTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();
    static final CollectiveOptions NATIVE = CollectiveOptions.algorithm(Algorithm.NATIVE);

    static List<Consumer<Communicator>> forcedNative() {
        return List.of(
                c -> c.allreduce(null, ElementBuffer.of(new float[8]), ReduceOp.SUM, NATIVE),
                c -> c.iallreduce(null, ElementBuffer.of(new float[8]), ReduceOp.SUM, NATIVE),
                c -> c.broadcast(ElementBuffer.of(new float[8]), 0, NATIVE),
                c -> c.ibroadcast(ElementBuffer.of(new float[8]), 0, NATIVE),
                c -> c.reduce(ElementBuffer.of(new float[8]), ElementBuffer.of(new float[8]), ReduceOp.SUM, 0, NATIVE),
                c -> c.allgather(ElementBuffer.of(new float[2]), ElementBuffer.of(new float[2 * c.size()]), NATIVE));
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void forcingNativeWhereThereIsNoneFailsAtTheCall(String transport) {
        Function<Communicator, Object> body = c -> {
            for (Consumer<Communicator> call : forcedNative()) {
                if (c.rank() == 1) {
                    assertThatThrownBy(() -> call.accept(c)).isInstanceOf(IllegalArgumentException.class)
                            .hasMessageContaining(transport).hasMessageContaining("native");
                }
                float[] v = {c.rank()};
                c.allreduce(v, ReduceOp.SUM);
                assertThat(v[0]).isEqualTo(3f);
            }
            return "ok";
        };
        List<Object> out = transport.equals("tcp") ? TcpGroup.runCatching(3, CFG, body)
                : LocalRun.runCatching(3, CFG, body);
        assertThat(out).containsOnly("ok");
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aJobWideNativeAlgorithmFailsAtTheCallToo(String transport) {
        CommunicatorConfig nativeJob = CFG.toBuilder().allreduceAlgorithm(Algorithm.NATIVE).build();
        Function<Communicator, Object> body = c -> {
            assertThatThrownBy(() -> c.allreduce(new float[8], ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("native");
            c.barrier();
            return "ok";
        };
        List<Object> out = transport.equals("tcp") ? TcpGroup.runCatching(2, nativeJob, body)
                : LocalRun.runCatching(2, nativeJob, body);
        assertThat(out).containsOnly("ok");
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every algorithm over the TCP transport (ranks as threads; one process per rank is in TcpProcessTest): the default
 * on one machine (shared memory, see tcp.ShmTransportTest), Unix-domain sockets (shared memory off), and TCP loopback.
 */
class TcpCorrectnessTest {

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4, 5})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAlgorithmOverTcp(int p) {
        everyAlgorithm(p, true);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAlgorithmOverTcpLoopback(int p) {
        everyAlgorithm(p, false);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everyAlgorithmOverUnixSockets(int p) {
        everyAlgorithm(p, true, false);
    }

    private static void everyAlgorithm(int p, boolean unix) {
        everyAlgorithm(p, unix, unix);
    }

    private static void everyAlgorithm(int p, boolean unix, boolean shm) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).segmentBytes(64 << 10)
                .build();
        List<List<String>> failures = TcpGroup.run(p, cfg, unix, shm, comm -> {
            List<String> bad = new ArrayList<>();
            int r = comm.rank();
            for (Algorithm a : AllreduceCorrectnessTest.ALGORITHMS) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                for (int n : new int[] {0, 1, p + 1, 1000, (1 << 18) + 3}) {
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.AVG}) {
                        float[] f = Inputs.floats(op, r, n);
                        comm.allreduce(f, 0, n, op, o);
                        int i = Inputs.firstMismatch(f, op, p);
                        if (i >= 0) {
                            bad.add(a + " float " + op + " n=" + n + " rank " + r + " element " + i + " = " + f[i]);
                        }
                        double[] d = Inputs.doubles(op, r, n);
                        comm.allreduce(d, 0, n, op, o);
                        i = Inputs.firstMismatch(d, op, p);
                        if (i >= 0) {
                            bad.add(a + " double " + op + " n=" + n + " rank " + r + " element " + i + " = " + d[i]);
                        }
                    }
                }
            }
            return bad;
        });
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    /** Vectors in direct ByteBuffers travel without staging copies (gathering writes, reads into the buffer). */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void directByteBuffersOverTcp(int p) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).segmentBytes(64 << 10)
                .build();
        List<List<String>> failures = TcpGroup.run(p, cfg, comm -> {
            List<String> bad = new ArrayList<>();
            for (Algorithm a : AllreduceCorrectnessTest.ALGORITHMS) {
                for (int n : new int[] {1, 7_001, (1 << 18) + 5}) {
                    java.nio.ByteBuffer bytes = java.nio.ByteBuffer.allocateDirect(4 * n + 12)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
                    ElementBuffer v = ElementBuffer.ofBytes(bytes, ElementType.FLOAT, 12, n);
                    float[] in = Inputs.floats(ReduceOp.SUM, comm.rank(), n);
                    ElementBuffer.of(in).copyTo(0, v, 0, n);
                    ElementBuffer out = ElementBuffer.ofBytes(java.nio.ByteBuffer.allocateDirect(4 * n),
                            ElementType.FLOAT, 0, n);
                    comm.allreduce(v, out, ReduceOp.SUM, CollectiveOptions.algorithm(a));
                    float[] got = new float[n];
                    out.copyTo(0, ElementBuffer.of(got), 0, n);
                    int i = Inputs.firstMismatch(got, ReduceOp.SUM, p);
                    if (i >= 0) {
                        bad.add(a + " n=" + n + " rank " + comm.rank() + " element " + i + " = " + got[i]);
                    }
                }
            }
            return bad;
        });
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }
}

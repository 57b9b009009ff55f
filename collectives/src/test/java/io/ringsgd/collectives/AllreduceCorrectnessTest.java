package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every AllReduce algorithm × group sizes 1, 2, 3, 4, 5, 7, 8 × counts 0, 1, P−1, P+1, 1000, 2^20+3 × every op ×
 * float and double, on the in-JVM transport, against a serial reference (inputs are exact, so the comparison is bit
 * for bit, which also proves every rank ends identical).
 */
class AllreduceCorrectnessTest {
    static final Algorithm[] ALGORITHMS = {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING, Algorithm.RABENSEIFNER,
        Algorithm.TREE};

    static int[] counts(int p) {
        return new int[] {0, 1, Math.max(0, p - 1), p + 1, 1000, (1 << 20) + 3};
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyAlgorithmCountOpAndType(int p) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
                .segmentBytes(64 << 10).build();
        List<List<String>> failures = Communicators.runLocal(p, cfg, comm -> {
            List<String> bad = new ArrayList<>();
            int r = comm.rank();
            for (Algorithm a : ALGORITHMS) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                for (int n : counts(p)) {
                    for (ReduceOp op : Inputs.floatingOps()) {
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
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@link HierarchicalAllreduce}: exact results (equal to the serial reference, so bit-identical on every rank) for
 * every floating op and odd counts, with hosts of equal size placed host by host and round-robin (the reduce-scatter
 * form) and of unequal size (the leader form), in-JVM and over TCP.
 */
class HierarchicalAllreduceTest {

    @ParameterizedTest(name = "{0} P={1} hosts={2} round-robin={3}")
    @CsvSource({"local,8,4,false", "local,8,4,true", "local,6,2,false", "local,5,2,false", "tcp,4,2,false",
        "tcp,4,2,true"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void exactOnEveryRank(String transport, int p, int hosts, boolean roundRobin) {
        List<Object> out = DupTest.run(transport, p, c -> {
            int r = c.rank();
            // Host by host: ranks 0..p/hosts-1 on host 0, ...; round-robin: rank r on host r % hosts. P=5 with two
            // hosts puts 3 ranks on host 0 and 2 on host 1 (unequal: the leader form).
            int host = roundRobin ? r % hosts : Math.min(hosts - 1, r / ((p + hosts - 1) / hosts));
            List<String> bad = new ArrayList<>();
            try (HierarchicalAllreduce h = HierarchicalAllreduce.of(c, host)) {
                if (h.uniform() != (p % hosts == 0)) {
                    bad.add("rank " + r + " uniform=" + h.uniform() + " with " + p + " ranks on " + hosts + " hosts");
                }
                for (int n : new int[] {0, 1, 7, 1001, (1 << 16) + 3}) {
                    for (ReduceOp op : Inputs.floatingOps()) {
                        float[] f = Inputs.floats(op, r, n);
                        h.allreduce(ElementBuffer.of(f), op);
                        int i = Inputs.firstMismatch(f, op, p);
                        if (i >= 0) {
                            bad.add("float " + op + " n=" + n + " rank " + r + " element " + i + " = " + f[i]);
                        }
                        double[] d = Inputs.doubles(op, r, n);
                        h.allreduce(ElementBuffer.of(d), op);
                        i = Inputs.firstMismatch(d, op, p);
                        if (i >= 0) {
                            bad.add("double " + op + " n=" + n + " rank " + r + " element " + i + " = " + d[i]);
                        }
                    }
                }
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isEqualTo(List.of());
        }
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code splitByLabel} groups ranks by equal labels in rank order; {@code splitByHost} and
 * {@code HierarchicalAllreduce.of(comm)} find the hosts themselves (threads of one JVM and processes' ranks on this
 * machine share one host); the label-built hierarchy reduces exactly. Ranks on different hosts are covered by the
 * emulated-cluster tests.
 */
class SplitByHostTest {

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,1", "local,7", "tcp,5"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void labelsGroupRanksInRankOrder(String transport, int p) {
        List<Object> out = DupTest.run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            // Labels by r mod 3, spelled so that equal groups are not contiguous ranks.
            String label = "node-" + (r % 3);
            try (Communicator s = c.splitByLabel(label)) {
                List<Integer> members = new ArrayList<>();
                for (int q = 0; q < p; q++) {
                    if (q % 3 == r % 3) {
                        members.add(q);
                    }
                }
                if (s.size() != members.size() || s.rank() != members.indexOf(r)) {
                    bad.add("rank " + r + " is " + s.rank() + " of " + s.size() + ", want "
                            + members.indexOf(r) + " of " + members.size());
                }
                long[] v = {r};
                s.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
                long want = members.stream().mapToLong(Integer::longValue).sum();
                if (v[0] != want) {
                    bad.add("rank " + r + " label-group sum " + v[0] + ", want " + want);
                }
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isEqualTo(List.of());
        }
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,4", "tcp,3"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void oneMachineIsOneHost(String transport, int p) {
        List<Object> out = DupTest.run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            try (Communicator s = c.splitByHost()) {
                if (s.size() != p || s.rank() != c.rank()) {
                    bad.add("rank " + c.rank() + " is " + s.rank() + " of " + s.size() + " on its host, want "
                            + c.rank() + " of " + p);
                }
            }
            try (HierarchicalAllreduce h = HierarchicalAllreduce.of(c)) {
                if (h.local().size() != p || h.cross().size() != 1) {
                    bad.add("hierarchy of one host: local " + h.local().size() + ", cross " + h.cross().size());
                }
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isEqualTo(List.of());
        }
    }

    @ParameterizedTest(name = "P={0} hosts={1}")
    @CsvSource({"6,2", "6,3", "7,3"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void hierarchyByLabelIsExact(int p, int hosts) {
        List<Object> out = DupTest.run("local", p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            // Contiguous blocks of ranks per host, as launchers number them.
            String label = "h" + (r * hosts / p);
            float[] f = new float[1001];
            for (int i = 0; i < f.length; i++) {
                f[i] = (r + 1) * 0.5f + i;
            }
            try (HierarchicalAllreduce h = HierarchicalAllreduce.ofLabel(c, label)) {
                h.allreduce(ElementBuffer.of(f), ReduceOp.SUM);
            }
            for (int i = 0; i < f.length; i++) {
                // Small integers and halves: exact in float whatever the order of the additions.
                float want = 0.5f * p * (p + 1) / 2 + (float) p * i;
                if (f[i] != want) {
                    bad.add("rank " + r + " element " + i + " = " + f[i] + ", want " + want);
                    break;
                }
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isEqualTo(List.of());
        }
    }

    @Test
    void hostKeyNamesKernelAndNetworkWhereLinuxSaysSo() {
        String k = HostKey.local();
        assertThat(k).isNotEmpty();
        if (java.nio.file.Files.exists(java.nio.file.Path.of("/proc/self/ns/net"))) {
            assertThat(k).isEqualTo(HostKey.kernelAndNetwork()).contains("/net:[");
        }
        assertThat(HostKey.colorOf(new long[] {5, 7, 5, 9, 7}, 4)).isEqualTo(1);
        assertThat(HostKey.colorOf(new long[] {5, 7, 5, 9, 7}, 3)).isEqualTo(3);
        assertThat(HostKey.hash("a")).isNotEqualTo(HostKey.hash("b"));
    }
}

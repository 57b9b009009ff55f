package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code comm.split(color, key)} as {@code MPI_Comm_split}: groups by color ranked by key (ties by parent rank), a
 * negative color gets null, the groups' collectives are exact and run at the same time as the parent's, and an
 * algorithm that needs n^(k+1) ranks (bcube) runs on a sub-group that has them. In-JVM and TCP.
 */
class SplitTest {

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,1", "local,6", "local,7", "tcp,5"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void groupsByColorRankedByKey(String transport, int p) {
        List<Object> out = DupTest.run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            // Rank 2 opts out; the others split by parity, ranked in reverse (key -r) in color 0, by rank in color 1.
            int color = r == 2 ? -1 : r % 2;
            Communicator s = c.split(color, color == 0 ? -r : 0);
            // The parent's collectives run on another thread of every rank, at the same time as the group's.
            CompletableFuture<String> parent = CompletableFuture.supplyAsync(() -> {
                long[] v = {r};
                c.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
                return v[0] == (long) p * (p - 1) / 2 ? "" : "parent sum " + v[0];
            });
            if (color < 0) {
                if (s != null) {
                    bad.add("rank 2 passed a negative color and got a communicator");
                }
            } else {
                List<Integer> members = new ArrayList<>();
                for (int q = 0; q < p; q++) {
                    if (q != 2 && q % 2 == color) {
                        members.add(q);
                    }
                }
                if (color == 0) {
                    java.util.Collections.reverse(members);
                }
                if (s.size() != members.size() || s.rank() != members.indexOf(r)) {
                    bad.add("rank " + r + " is " + s.rank() + " of " + s.size() + ", want " + members.indexOf(r)
                            + " of " + members.size());
                }
                long[] v = {r};
                s.allreduce(null, ElementBuffer.of(v), ReduceOp.SUM, CollectiveOptions.DEFAULT);
                long want = members.stream().mapToLong(Integer::longValue).sum();
                if (v[0] != want) {
                    bad.add("rank " + r + " group sum " + v[0] + ", want " + want);
                }
                float[] b = {r};
                s.broadcast(b, 0);
                if (b[0] != members.get(0)) {
                    bad.add("rank " + r + " broadcast from group rank 0 gave " + b[0]);
                }
                s.close();
            }
            String e = parent.join();
            if (!e.isEmpty()) {
                bad.add(e);
            }
            return bad;
        });
        for (Object o : out) {
            assertThat(o).isEqualTo(List.of());
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"local", "tcp"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void bcubeRunsOnSubGroupsOfFour(String transport) {
        List<Object> out = DupTest.run(transport, 8, c -> {
            Communicator s = c.split(c.rank() % 2, c.rank());
            float[] f = new float[1001];
            for (int i = 0; i < f.length; i++) {
                f[i] = c.rank() * 1000 + i;
            }
            s.allreduce(f, 0, f.length, ReduceOp.SUM, CollectiveOptions.algorithm(Algorithm.BCUBE));
            s.close();
            int base = c.rank() % 2;
            for (int i = 0; i < f.length; i++) {
                float want = (base + base + 2 + base + 4 + base + 6) * 1000 + 4 * i;
                if (f[i] != want) {
                    return "rank " + c.rank() + " element " + i + " = " + f[i] + ", want " + want;
                }
            }
            return "";
        });
        assertThat(out).containsOnly("");
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Per-rank counts that disagree between ranks, with the same totals (so only the counts themselves can tell): where
 * every rank knows the whole counts vector (allgatherv, reduceScatterv) every rank fails at that very call with a
 * {@link CollectiveMismatchException} that says the counts differ; where only the two ends of a block know its size
 * (gatherv, scatterv, alltoallv) the receiving end fails at that call naming both counts, and every rank fails by its
 * next call, never completing it or hanging.
 */
class VFormCountsMismatchTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();

    static List<Object> run(String transport, int p, Function<Communicator, Object> body) {
        return MoreCollectivesTest.run(transport, p, CFG, body);
    }

    /** Counts 2, 3, 4, …; the last rank moves one element from block 0 to block 1. */
    static int[] counts(Communicator c) {
        int p = c.size();
        int[] counts = new int[p];
        for (int q = 0; q < p; q++) {
            counts[q] = q + 2;
        }
        if (c.rank() == p - 1) {
            counts[0]--;
            counts[1]++;
        }
        return counts;
    }

    static void everyRankFailsAtTheCall(List<Object> out, String says) {
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveMismatchException.class);
            assertThat(((Throwable) o).getMessage()).contains(says);
        }
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,2", "local,3", "local,5", "local,8", "tcp,3", "tcp,5"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void allgathervFailsEveryRankAtTheCall(String transport, int p) {
        everyRankFailsAtTheCall(run(transport, p, c -> {
            int[] counts = counts(c);
            int total = java.util.Arrays.stream(counts).sum();
            c.allgatherv(ElementBuffer.of(new float[counts[c.rank()]]), ElementBuffer.of(new float[total]), counts,
                    null, CollectiveOptions.DEFAULT);
            return "completed";
        }), "the per-rank counts differ");
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,2", "local,3", "local,5", "local,8", "tcp,3", "tcp,5"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void reduceScattervFailsEveryRankAtTheCall(String transport, int p) {
        everyRankFailsAtTheCall(run(transport, p, c -> {
            int[] counts = counts(c);
            int total = java.util.Arrays.stream(counts).sum();
            c.reduceScatterv(ElementBuffer.of(new long[total]), ElementBuffer.of(new long[counts[c.rank()]]),
                    counts, ReduceOp.SUM, CollectiveOptions.DEFAULT);
            return "completed";
        }), "counts vector");
    }

    /** The rank that received the disagreeing block names both counts; no rank completes the next call. */
    static void receiverNamesTheCounts(List<Object> out, int receiver, String says) {
        assertThat(out.get(receiver)).isInstanceOf(CollectiveMismatchException.class);
        assertThat(((Throwable) out.get(receiver)).getMessage()).contains(says);
        for (Object o : out) {
            assertThat(o).isInstanceOf(CollectiveException.class);
        }
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,2", "local,4", "local,9", "tcp,3", "tcp,8"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void gathervNamesTheBlockAtTheRoot(String transport, int p) {
        int root = 0;
        receiverNamesTheCounts(run(transport, p, c -> {
            int[] counts = {3, 3, 3, 3, 3, 3, 3, 3, 3};
            int mine = c.rank() == p - 1 ? 4 : 3;
            ElementBuffer recv = c.rank() == root ? ElementBuffer.of(new int[3 * p]) : null;
            c.gatherv(ElementBuffer.of(new int[mine]), recv, c.rank() == root ? java.util.Arrays.copyOf(counts, p)
                    : null, null, root, CollectiveOptions.DEFAULT);
            c.barrier();
            return "completed";
        }), root, "sends a block of 4 elements where rank " + root + " expects 3");
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,2", "local,4", "local,9", "tcp,3", "tcp,8"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void scattervNamesTheBlockAtTheReceiver(String transport, int p) {
        int root = p - 1;
        int odd = 0;
        receiverNamesTheCounts(run(transport, p, c -> {
            int[] counts = new int[p];
            java.util.Arrays.fill(counts, 2);
            int mine = c.rank() == odd ? 5 : 2;
            ElementBuffer send = c.rank() == root ? ElementBuffer.of(new double[2 * p]) : null;
            c.scatterv(send, c.rank() == root ? counts : null, null, ElementBuffer.of(new double[mine]), root,
                    CollectiveOptions.DEFAULT);
            c.barrier();
            return "completed";
        }), odd, "sends a block of 2 elements where rank " + odd + " expects 5");
    }

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,2", "local,3", "local,7", "tcp,2", "tcp,4", "tcp,8"})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void alltoallvNamesTheBlockAtTheReceiver(String transport, int p) {
        // Rank 0 sends 3 elements to rank p−1, which expects 1 from it.
        receiverNamesTheCounts(run(transport, p, c -> {
            int[] sc = new int[p];
            int[] rc = new int[p];
            java.util.Arrays.fill(sc, 1);
            java.util.Arrays.fill(rc, 1);
            if (c.rank() == 0) {
                sc[p - 1] = 3;
            }
            c.alltoallv(ElementBuffer.of(new byte[p + 2]), sc, null, ElementBuffer.of(new byte[p]), rc, null,
                    CollectiveOptions.DEFAULT);
            c.barrier();
            return "completed";
        }), p - 1, "sends a block of 3 elements where rank " + (p - 1) + " expects 1");
    }
}

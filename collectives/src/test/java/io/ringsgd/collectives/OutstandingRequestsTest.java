package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Issue 12 item 6: many non-blocking collectives in flight at once (a broadcast from every root, allreduces, with
 * different sizes and algorithms), awaited in a different random order on every rank, and checked the moment each
 * await returns: every request's data must be complete when its await returns, whatever the order.
 */
class OutstandingRequestsTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(4 << 10).build();
    static final Algorithm[] BROADCASTS = {Algorithm.AUTO, Algorithm.TREE, Algorithm.RING};
    static final Algorithm[] ALLREDUCES = {Algorithm.AUTO, Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
        Algorithm.RABENSEIFNER, Algorithm.TREE};
    static final int[] SIZES = {1, 2, 7, 1000, 20_011};

    @ParameterizedTest(name = "{0} P={1}")
    @CsvSource({"local,5", "local,6", "local,7", "local,8", "tcp,5", "tcp,8"})
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void everyRequestIsCompleteWhenItsAwaitReturns(String transport, int p) {
        int rounds = transport.equals("local") ? 40 : 10;
        Function<Communicator, Object> body = c -> {
            List<String> bad = new ArrayList<>();
            Random order = new Random(97 * c.rank() + p);
            for (int round = 0; round < rounds; round++) {
                List<Check> checks = new ArrayList<>();
                for (int k = 0; k < 3 * p; k++) {
                    int n = SIZES[(round + k) % SIZES.length];
                    if (k % 3 != 2) {
                        int root = k % p;
                        Algorithm a = BROADCASTS[(round + k) % BROADCASTS.length];
                        float[] data = new float[n];
                        if (c.rank() == root) {
                            fill(data, round, k);
                        }
                        Request r = c.ibroadcast(ElementBuffer.of(data), root, CollectiveOptions.algorithm(a));
                        int rd = round;
                        int kk = k;
                        checks.add(new Check(r, () -> expectFilled(data, rd, kk), "ibroadcast root " + root + " n="
                                + n + " " + a.cliName()));
                    } else {
                        Algorithm a = ALLREDUCES[(round + k) % ALLREDUCES.length];
                        float[] data = Inputs.floats(ReduceOp.SUM, c.rank(), n);
                        Request r = c.iallreduce(data, 0, n, ReduceOp.SUM, CollectiveOptions.algorithm(a));
                        checks.add(new Check(r, () -> Inputs.firstMismatch(data, ReduceOp.SUM, p), "iallreduce n="
                                + n + " " + a.cliName()));
                    }
                }
                Collections.shuffle(checks, order);
                for (Check ch : checks) {
                    ch.request.await();
                    int i = ch.firstWrong.getAsInt();
                    if (i >= 0) {
                        bad.add("round " + round + " rank " + c.rank() + ": " + ch.what + " element " + i
                                + " not written when await returned");
                    }
                }
            }
            return bad;
        };
        List<Object> out = transport.equals("tcp") ? TcpGroup.runCatching(p, CFG, body)
                : LocalRun.runCatching(p, CFG, body);
        for (Object o : out) {
            assertThat(o).isInstanceOf(List.class);
            assertThat((List<?>) o).isEmpty();
        }
    }

    private record Check(Request request, java.util.function.IntSupplier firstWrong, String what) {
    }

    private static void fill(float[] d, int round, int k) {
        for (int i = 0; i < d.length; i++) {
            d[i] = 1 + round * 1000 + k * 10 + (i % 7);
        }
    }

    private static int expectFilled(float[] d, int round, int k) {
        for (int i = 0; i < d.length; i++) {
            if (d[i] != 1 + round * 1000 + k * 10 + (i % 7)) {
                return i;
            }
        }
        return -1;
    }
}

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

/** Broadcast, reduce, reduce-scatter, all-gather and barrier, every algorithm, against serial references. */
class OtherCollectivesTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(16 << 10).build();

    static int[] counts(int p) {
        return new int[] {0, 1, p + 1, 1000, 100_003};
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void broadcastFromEveryRoot(int p) {
        List<List<String>> bad = Communicators.runLocal(p, CFG, c -> {
            List<String> errs = new ArrayList<>();
            for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING, Algorithm.AUTO}) {
                for (int root = 0; root < p; root++) {
                    for (int n : counts(p)) {
                        float[] f = new float[n];
                        if (c.rank() == root) {
                            for (int i = 0; i < n; i++) {
                                f[i] = i * 3 + root;
                            }
                        }
                        c.broadcast(ElementBuffer.of(f), root, CollectiveOptions.algorithm(a));
                        for (int i = 0; i < n; i++) {
                            if (f[i] != i * 3 + root) {
                                errs.add(a + " root " + root + " n=" + n + " rank " + c.rank() + " [" + i + "]=" + f[i]);
                                break;
                            }
                        }
                    }
                }
            }
            return errs;
        });
        bad.forEach(e -> assertThat(e).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reduceToEveryRoot(int p) {
        List<List<String>> bad = Communicators.runLocal(p, CFG, c -> {
            List<String> errs = new ArrayList<>();
            for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING}) {
                for (ReduceOp op : Inputs.floatingOps()) {
                    for (int root = 0; root < p; root++) {
                        for (int n : counts(p)) {
                            double[] send = Inputs.doubles(op, c.rank(), n);
                            double[] copy = send.clone();
                            double[] recv = c.rank() == root ? new double[n] : null;
                            c.reduce(ElementBuffer.of(send), recv == null ? null : ElementBuffer.of(recv), op, root,
                                    CollectiveOptions.algorithm(a));
                            if (!java.util.Arrays.equals(send, copy)) {
                                errs.add(a + " " + op + " modified the send buffer on rank " + c.rank());
                            }
                            if (recv != null && Inputs.firstMismatch(recv, op, p) >= 0) {
                                errs.add(a + " " + op + " root " + root + " n=" + n + " element "
                                        + Inputs.firstMismatch(recv, op, p));
                            }
                        }
                    }
                }
            }
            return errs;
        });
        bad.forEach(e -> assertThat(e).isEmpty());
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 7, 8})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void reduceScatterAndAllgather(int p) {
        List<List<String>> bad = Communicators.runLocal(p, CFG, c -> {
            List<String> errs = new ArrayList<>();
            int r = c.rank();
            for (int block : new int[] {0, 1, 3, 1000, 20_001}) {
                for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING, Algorithm.AUTO}) {
                    for (ReduceOp op : Inputs.floatingOps()) {
                        float[] send = Inputs.floats(op, r, block * p);
                        float[] recv = new float[block];
                        c.reduceScatter(ElementBuffer.of(send), ElementBuffer.of(recv), op,
                                CollectiveOptions.algorithm(a));
                        for (int i = 0; i < block; i++) {
                            long g = (long) r * block + i;
                            float e = op == ReduceOp.AVG ? (float) Inputs.expected(ReduceOp.SUM, p, g) / p
                                    : (float) Inputs.expected(op, p, g);
                            if (recv[i] != e) {
                                errs.add("reduceScatter " + a + " " + op + " block " + block + " rank " + r + " [" + i
                                        + "]=" + recv[i] + " expected " + e);
                                break;
                            }
                        }
                    }
                }
                for (Algorithm a : new Algorithm[] {Algorithm.RECURSIVE_DOUBLING, Algorithm.RING, Algorithm.AUTO}) {
                    float[] mine = new float[block];
                    for (int i = 0; i < block; i++) {
                        mine[i] = r * 100_000 + i;
                    }
                    float[] all = new float[block * p];
                    c.allgather(ElementBuffer.of(mine), ElementBuffer.of(all), CollectiveOptions.algorithm(a));
                    for (int q = 0; q < p && errs.isEmpty(); q++) {
                        for (int i = 0; i < block; i++) {
                            if (all[q * block + i] != q * 100_000 + i) {
                                errs.add("allgather " + a + " block " + block + " rank " + r + " from " + q);
                                break;
                            }
                        }
                    }
                }
            }
            c.barrier();
            return errs;
        });
        bad.forEach(e -> assertThat(e).isEmpty());
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 12 item 7: read-only buffers are accepted wherever a call only reads them (the root of a broadcast, the send
 * side of allreduce, reduce, reduce-scatter and all-gather), with every algorithm, and refused up front with
 * IllegalArgumentException where the call writes them, before anything is sent: the refused call uses no sequence
 * number, so the same rank's next, valid call matches the other ranks' first one.
 */
class ReadOnlyBuffersTest {
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
            .segmentBytes(4 << 10).build();
    /** Short (tree selected) and long (ring and scatter-allgather selected). */
    static final int[] COUNTS = {5, 70_001};

    static List<Object> run(String transport, int p, Function<Communicator, Object> body) {
        return transport.equals("tcp") ? TcpGroup.runCatching(p, CFG, body) : LocalRun.runCatching(p, CFG, body);
    }

    /** Read-only views of rank {@code r}'s SUM inputs: heap, direct and little-endian bytes. */
    static List<ElementBuffer> readOnly(int r, int n) {
        float[] v = Inputs.floats(ReduceOp.SUM, r, n);
        List<ElementBuffer> out = new ArrayList<>();
        out.add(ElementBuffer.of(FloatBuffer.wrap(v.clone()).asReadOnlyBuffer()));
        FloatBuffer direct = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.nativeOrder()).asFloatBuffer().put(v);
        direct.flip();
        out.add(ElementBuffer.of(direct.asReadOnlyBuffer()));
        ByteBuffer le = ByteBuffer.allocate(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        le.asFloatBuffer().put(v);
        out.add(ElementBuffer.ofBytes(le.asReadOnlyBuffer(), ElementType.FLOAT, 0, n));
        return out;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readOnlyInputsAreAcceptedWhereOnlyRead(String transport) {
        int p = 3;
        List<Object> out = run(transport, p, c -> {
            List<String> bad = new ArrayList<>();
            int r = c.rank();
            for (int n : COUNTS) {
                for (int kind = 0; kind < 3; kind++) {
                    int k = kind;
                    // broadcast: the root's buffer is read-only
                    for (Algorithm a : new Algorithm[] {Algorithm.AUTO, Algorithm.TREE, Algorithm.RING}) {
                        for (int root = 0; root < p; root++) {
                            float[] got = new float[n];
                            ElementBuffer data = r == root ? readOnly(root, n).get(k) : ElementBuffer.of(got);
                            c.broadcast(data, root, CollectiveOptions.algorithm(a));
                            if (r != root && !java.util.Arrays.equals(got, Inputs.floats(ReduceOp.SUM, root, n))) {
                                bad.add("broadcast " + a.cliName() + " root " + root + " n=" + n + " kind " + k);
                            }
                        }
                    }
                    // allreduce out of place: the send buffer is read-only
                    for (Algorithm a : AllreduceCorrectnessTest.ALGORITHMS) {
                        float[] recv = new float[n];
                        c.allreduce(readOnly(r, n).get(k), ElementBuffer.of(recv), ReduceOp.SUM,
                                CollectiveOptions.algorithm(a));
                        if (Inputs.firstMismatch(recv, ReduceOp.SUM, p) >= 0) {
                            bad.add("allreduce " + a.cliName() + " n=" + n + " kind " + k);
                        }
                    }
                    float[] compressed = new float[n];
                    c.allreduce(readOnly(r, n).get(k), ElementBuffer.of(compressed), ReduceOp.SUM,
                            CollectiveOptions.compressed(Compression.FP16));
                    // reduce: the send buffer is read-only
                    for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING}) {
                        float[] recv = r == 0 ? new float[n] : null;
                        c.reduce(readOnly(r, n).get(k), recv == null ? null : ElementBuffer.of(recv), ReduceOp.SUM,
                                0, CollectiveOptions.algorithm(a));
                        if (r == 0 && Inputs.firstMismatch(recv, ReduceOp.SUM, p) >= 0) {
                            bad.add("reduce " + a.cliName() + " n=" + n + " kind " + k);
                        }
                    }
                    // all-gather: the send buffer is read-only
                    for (Algorithm a : new Algorithm[] {Algorithm.RECURSIVE_DOUBLING, Algorithm.RING}) {
                        float[] all = new float[n * p];
                        c.allgather(readOnly(r, n).get(k), ElementBuffer.of(all), CollectiveOptions.algorithm(a));
                        for (int q = 0; q < p; q++) {
                            if (!java.util.Arrays.equals(java.util.Arrays.copyOfRange(all, q * n, (q + 1) * n),
                                    Inputs.floats(ReduceOp.SUM, q, n))) {
                                bad.add("allgather " + a.cliName() + " n=" + n + " kind " + k + " block " + q);
                            }
                        }
                    }
                }
                // reduce-scatter: the send buffer (P blocks) is read-only
                for (Algorithm a : new Algorithm[] {Algorithm.TREE, Algorithm.RING}) {
                    ElementBuffer send = readOnly(r, n * p).get(0);
                    float[] mine = new float[n];
                    c.reduceScatter(send, ElementBuffer.of(mine), ReduceOp.SUM, CollectiveOptions.algorithm(a));
                    for (int i = 0; i < n; i++) {
                        if (mine[i] != (float) Inputs.expected(ReduceOp.SUM, p, (long) r * n + i)) {
                            bad.add("reduceScatter " + a.cliName() + " n=" + n + " element " + i);
                            break;
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

    /** A call that would write a read-only buffer; rank 1 makes it first, then the valid call every rank makes. */
    record Refusal(String name, Consumer<Communicator> refused, Consumer<Communicator> valid) {
    }

    static List<Refusal> refusals() {
        ElementBuffer ro = ElementBuffer.of(FloatBuffer.wrap(new float[12]).asReadOnlyBuffer());
        ElementBuffer roBytes = ElementBuffer.ofBytes(ByteBuffer.allocateDirect(48).asReadOnlyBuffer(),
                ElementType.FLOAT, 0, 12);
        List<Refusal> all = new ArrayList<>();
        all.add(new Refusal("broadcast into a read-only buffer", c -> c.broadcast(ro, 0, CollectiveOptions.DEFAULT),
                c -> c.broadcast(new float[12], 0)));
        all.add(new Refusal("allreduce in place on read-only bytes",
                c -> c.allreduce(null, roBytes, ReduceOp.SUM, CollectiveOptions.DEFAULT),
                c -> c.allreduce(new float[12], ReduceOp.SUM)));
        all.add(new Refusal("allreduce into a read-only recv",
                c -> c.allreduce(ElementBuffer.of(new float[12]), ro, ReduceOp.SUM, CollectiveOptions.DEFAULT),
                c -> c.allreduce(new float[12], ReduceOp.SUM)));
        all.add(new Refusal("allgather into a read-only recv",
                c -> c.allgather(ElementBuffer.of(new float[4]), ro, CollectiveOptions.DEFAULT),
                c -> c.allgather(new float[4], new float[12])));
        all.add(new Refusal("reduceScatter into a read-only recv",
                c -> c.reduceScatter(ElementBuffer.of(new float[36]), ro, ReduceOp.SUM, CollectiveOptions.DEFAULT),
                c -> c.reduceScatter(new float[36], new float[12], ReduceOp.SUM)));
        all.add(new Refusal("reduce into a read-only recv at the root",
                c -> c.reduce(ElementBuffer.of(new float[12]), ro, ReduceOp.SUM, 1, CollectiveOptions.DEFAULT),
                c -> c.reduce(new float[12], new float[12], ReduceOp.SUM, 1)));
        all.add(new Refusal("iallreduce in place on a read-only buffer",
                c -> c.iallreduce(null, ro, ReduceOp.SUM, CollectiveOptions.DEFAULT),
                c -> c.iallreduce(new float[12], ReduceOp.SUM).await()));
        all.add(new Refusal("ibroadcast into a read-only buffer", c -> c.ibroadcast(ro, 2, CollectiveOptions.DEFAULT),
                c -> c.ibroadcast(new float[12], 0, 12, 2).await()));
        return all;
    }

    @ParameterizedTest
    @ValueSource(strings = {"local", "tcp"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void writesIntoReadOnlyBuffersAreRefusedBeforeAnythingIsSent(String transport) {
        for (Refusal f : refusals()) {
            List<Object> out = run(transport, 3, c -> {
                if (c.rank() == 1) {
                    assertThatThrownBy(() -> f.refused().accept(c)).as(f.name())
                            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("read-only");
                }
                f.valid().accept(c);
                return "ok";
            });
            assertThat(out).as(f.name()).containsOnly("ok");
        }
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.TcpGroup;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What {@code train --trace} does at the end of a job: broadcasts of odd numbers of bytes from every root (large ones
 * read by the TCP transport straight into the destination, small ones through its staging buffer), then float and
 * double AllReduces in which each rank fills its own slot. Every slot must arrive. Before the staging buffer kept its
 * index congruent to the stream offset, the frame after an odd-length payload read straight into its destination was
 * read 1-7 bytes off: rank 1's slots arrived at rank 0 as zeros (`train --trace` then reported different parameters).
 */
class BroadcastThenAllreduceTest {

    @ParameterizedTest(name = "{0} bytes, unix sockets {1}, {2}")
    @CsvSource({"1000001,true,AUTO", "1000001,false,AUTO", "1000001,true,TREE", "1000001,false,RECURSIVE_DOUBLING",
        "1000001,true,RING", "1001,true,AUTO", "1001,false,TREE", "40003,true,AUTO"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void everySlotArrivesAfterOddByteBroadcasts(int bytes, boolean unix, Algorithm algorithm) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
        CollectiveOptions opts = CollectiveOptions.algorithm(algorithm);
        List<List<String>> bad = TcpGroup.run(2, cfg, unix, c -> {
            List<String> wrong = new ArrayList<>();
            for (int round = 0; round < 8; round++) {
                for (int root = 0; root < 2; root++) {
                    int n = bytes + 2 * round + root;
                    byte[] b = new byte[n];
                    if (c.rank() == root) {
                        java.util.Arrays.fill(b, (byte) (root + 1));
                    }
                    c.broadcast(ElementBuffer.ofBytes(ByteBuffer.wrap(b), ElementType.BYTE, 0, n), root,
                            CollectiveOptions.DEFAULT);
                    if (b[n - 1] != root + 1 || b[0] != root + 1) {
                        wrong.add("round " + round + ": broadcast from " + root + " not received");
                    }
                }
                float[] f = new float[2 * 33];
                double[] d = new double[2 * 33];
                for (int i = 0; i < 33; i++) {
                    f[c.rank() * 33 + i] = 1 + c.rank();
                    d[c.rank() * 33 + i] = 1 + c.rank();
                }
                c.allreduce(f, 0, f.length, ReduceOp.SUM, opts);
                c.allreduce(d, 0, d.length, ReduceOp.SUM, opts);
                for (int i = 0; i < f.length; i++) {
                    if (f[i] != 1 + i / 33 || d[i] != 1 + i / 33) {
                        wrong.add("round " + round + ": element " + i + " = " + f[i] + " / " + d[i]);
                        break;
                    }
                }
            }
            return wrong;
        });
        assertThat(bad).as("rank 0's and rank 1's wrong results").containsOnly(List.of());
    }
}

package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Compression;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ringsgd bench allreduce} on threads: compressed runs are checked within the codec's error, not exactly. */
class BenchCommandTest {

    private static String bench(int[] status, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        try {
            status[0] = Main.execute(args);
        } finally {
            System.setOut(old);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void compressedRunsAreCorrectWithinTheCodecErrorAndExitZero() {
        for (String c : new String[] {"int8", "fp16"}) {
            int[] status = {-1};
            String o = bench(status, "bench", "allreduce", "--np", "3", "--bytes", "8,100k,1m", "--iters", "3",
                    "--warmup", "1", "--warmup-seconds", "0", "--compress", c, "--json");
            assertThat(status[0]).as(o).isZero();
            assertThat(o.lines().filter(l -> l.startsWith("{")).count()).isEqualTo(3);
            assertThat(o).doesNotContain("\"correct\":false");
        }
    }

    @Test
    void theToleranceIsZeroUncompressedAndAFewStepsCompressed() {
        assertThat(AllreduceBench.tolerance(Compression.NONE, 4, 58)).isZero();
        // int8: half a step (58/127) per requantization, 4 of them on 4 ranks.
        assertThat(AllreduceBench.tolerance(Compression.INT8, 4, 58)).isEqualTo(4 * 58 / 127.0 / 2);
        assertThat(AllreduceBench.tolerance(Compression.FP16, 4, 58)).isEqualTo(4 * 58 * 0x1p-11);
    }
}

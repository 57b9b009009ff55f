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
        for (String c : new String[] {"int8", "fp16", "2bit", "1bit", "ternary"}) {
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
        assertThat(AllreduceBench.tolerance(Compression.ONE_BIT, 4, 58)).isEqualTo(4 * 58);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void gatherScatterAlltoallAndAllgathervPrintTheAllreduceColumnsAndAreCorrect() {
        for (String c : new String[] {"gather", "scatter", "alltoall", "allgatherv"}) {
            int[] status = {-1};
            String o = bench(status, "bench", c, "--np", "3", "--bytes", "12,100k", "--iters", "3", "--warmup", "1",
                    "--algorithm", "all", "--type", c.equals("alltoall") ? "int" : "float");
            assertThat(status[0]).as(o).isZero();
            assertThat(o).contains("# ringsgd bench " + c + ": transport=local np=3")
                    .contains("median_us").contains("busbw_GB/s").contains("correct").doesNotContain(" NO");
        }
        int[] status = {-1};
        String o = bench(status, "bench", "alltoall", "--np", "2", "--bytes", "1k", "--iters", "2", "--warmup", "0",
                "--algorithm", "pairwise,bruck", "--json");
        assertThat(status[0]).as(o).isZero();
        assertThat(o.lines().filter(l -> l.startsWith("{")).count()).isEqualTo(2);
    }

    @Test
    void aBadTypeOrAlgorithmIsOneLineAndStatusTwo() {
        int[] status = {-1};
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            bench(status, "bench", "gather", "--type", "short");
            assertThat(status[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8))
                    .contains("--type must be float, double, int, long or byte");
            err.reset();
            bench(status, "bench", "scatter", "--algorithm", "bruck");
            assertThat(status[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("scatter has no bruck algorithm");
        } finally {
            System.setErr(old);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aHierarchyOfOneHostIsExactAndItsMisuseIsOneLineAndStatusTwo() {
        int[] status = {-1};
        String o = bench(status, "bench", "allreduce", "--np", "4", "--bytes", "8,100k", "--iters", "2", "--warmup",
                "1", "--warmup-seconds", "0", "--hierarchy", "host", "--json");
        assertThat(status[0]).as(o).isZero();
        assertThat(o.lines().filter(l -> l.contains("\"algorithm\":\"hierarchical\"")).count()).isEqualTo(2);
        assertThat(o).doesNotContain("\"correct\":false");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        System.setErr(new PrintStream(err, true));
        try {
            bench(status, "bench", "allreduce", "--hierarchy", "rack");
            assertThat(status[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("--hierarchy must be none or host");
            err.reset();
            bench(status, "bench", "allreduce", "--hierarchy", "host", "--algorithm", "ring");
            assertThat(status[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("drop --algorithm");
            err.reset();
            bench(status, "bench", "allreduce", "--hierarchy", "host", "--compress", "int8");
            assertThat(status[0]).isEqualTo(2);
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("drop --compress");
        } finally {
            System.setErr(old);
        }
    }
}

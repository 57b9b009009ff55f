package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringsgd train}: a run writes its outputs; bad options fail in one line before any work starts. */
class TrainCommandTest {

    /** Runs the command line and returns {status, stdout, stderr}. */
    static Object[] run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true));
        System.setErr(new PrintStream(err, true));
        try {
            int status = Main.execute(args);
            return new Object[] {status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aRunWritesMetricsPlotAndSummary(@TempDir Path dir) throws Exception {
        Object[] r = run("train", "--trainer", "pipe", "--width", "2", "--workers", "3", "--model", "softmax",
                "--data", "synthetic:train=3000,test=600", "--epochs", "2", "--eval-every", "20", "--quiet",
                "--out", dir.toString());
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
        String out = (String) r[1];
        assertThat(out).contains("pipe width 2 on 3 workers").contains("final test accuracy")
                .contains("(identical on every rank)");
        String json = Files.readString(dir.resolve("summary.json"));
        for (String key : new String[] {"\"trainer\"", "\"width\"", "\"workers\"", "\"epochs\"",
            "\"final_test_accuracy\"", "\"wall_seconds\"", "\"iterations\"", "\"mean_iteration_ms\"",
            "\"compute_ms\"", "\"comm_wait_ms\"", "\"params_sha256\"", "\"wire_bytes_per_iteration\""}) {
            assertThat(json).contains(key);
        }
        assertThat(Files.readAllLines(dir.resolve("metrics.csv")).size()).isGreaterThan(10);
        byte[] png = Files.readAllBytes(dir.resolve("metrics.png"));
        assertThat(png).startsWith((byte) 0x89, (byte) 'P', (byte) 'N', (byte) 'G');
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badOptionsFailInOneLineBeforeAnyWork(@TempDir Path dir) throws Exception {
        assertOneLineError(run("train", "--width", "0", "--data", "synthetic", "--quiet", "--out", dir.toString()),
                "width");
        assertOneLineError(run("train", "--workers", "5000", "--data", "synthetic:train=100,test=50", "--quiet",
                "--out", dir.toString()), "workers");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertOneLineError(run("train", "--data", "fashion-mnist:" + empty, "--quiet", "--out", dir.toString()),
                "lacks");
        Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        assertOneLineError(run("train", "--data", "synthetic", "--quiet", "--out", file.resolve("sub").toString()),
                "not-a-dir");
        assertOneLineError(run("train", "--trainer", "adam", "--data", "synthetic", "--quiet"), "adam");
        assertOneLineError(run("train", "--net-latency", "200us", "--data", "synthetic", "--quiet", "--out",
                dir.toString()), "--net-bandwidth");
        assertOneLineError(run("train", "--transport", "tcp", "--data", "synthetic", "--quiet"), "ringsgd run");
        assertOneLineError(run("train", "--compress", "3bit", "--data", "synthetic", "--quiet", "--out",
                dir.toString()), "1bit or ternary");
        assertOneLineError(run("train", "--compress", "1bit", "--error-feedback", "maybe", "--data", "synthetic",
                "--quiet", "--out", dir.toString()), "--error-feedback takes on or off");
        assertThat(Files.exists(dir.resolve("metrics.csv"))).isFalse();
    }

    private static void assertOneLineError(Object[] r, String mentions) {
        assertThat(r[0]).as("%s", r[2]).isEqualTo(Main.USAGE);
        String err = ((String) r[2]).strip();
        assertThat(err.lines().filter(l -> l.startsWith("ringsgd: ")).count()).as(err).isEqualTo(1);
        assertThat(err).contains(mentions);
    }
}

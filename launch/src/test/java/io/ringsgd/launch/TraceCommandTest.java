package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --trace}: one Chrome trace-event file with every rank's collectives, messages and training steps, each span
 * on its rank (pid) and thread, none of them lost.
 */
class TraceCommandTest {

    private static int run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        try {
            System.setOut(new PrintStream(new ByteArrayOutputStream(), true));
            System.setErr(new PrintStream(new ByteArrayOutputStream(), true));
            return Main.execute(args);
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    private static long count(String json, String name, int pid) {
        Matcher m = Pattern.compile("\\{\"name\":\"" + Pattern.quote(name) + "\",\"ph\":\"X\",\"pid\":" + pid + ",")
                .matcher(json);
        long n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void benchTracesEveryCollectiveAndMessageOfEveryRank(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("bench.json");
        assertThat(run("bench", "allreduce", "--np", "3", "--bytes", "1m", "--algorithm", "ring", "--iters", "4",
                "--warmup", "1", "--warmup-seconds", "0", "--trace", file.toString())).isZero();
        String json = Files.readString(file);
        assertThat(json).startsWith("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[").endsWith("]}\n");
        for (int rank = 0; rank < 3; rank++) {
            assertThat(json).contains("\"process_name\",\"ph\":\"M\",\"pid\":" + rank + ",\"args\":{\"name\":\"rank "
                    + rank + " bench\"}");
            // 5 ring AllReduces of 1 MiB (warm-up and timed): 2(P-1) = 4 steps, each at least one segment each way;
            // the bench's own small collectives add more.
            assertThat(count(json, "allreduce ring", rank)).isEqualTo(5);
            assertThat(count(json, "send", rank)).isGreaterThanOrEqualTo(5 * 4);
            assertThat(count(json, "recv", rank)).isGreaterThanOrEqualTo(5 * 4);
        }
        assertThat(json).contains("\"args\":{\"peer\":");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void trainTracesEveryIterationOfEveryRank(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("train.json");
        assertThat(run("train", "--trainer", "pipe", "--workers", "2", "--model", "softmax", "--data",
                "synthetic:train=640,test=64,features=8,classes=3", "--epochs", "1", "--batch", "16", "--quiet",
                "--out", dir.resolve("out").toString(), "--trace", file.toString())).isZero();
        String json = Files.readString(file);
        for (int rank = 0; rank < 2; rank++) {
            assertThat(count(json, "gradient", rank)).isEqualTo(20);
            assertThat(count(json, "batch", rank)).isEqualTo(20);
            assertThat(count(json, "update", rank)).isEqualTo(20);
            assertThat(count(json, "wait for collective", rank)).isEqualTo(20);
            assertThat(count(json, "evaluate", rank)).isEqualTo(1);
        }
    }
}

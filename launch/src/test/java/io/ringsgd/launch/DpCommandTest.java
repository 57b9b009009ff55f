package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ringsgd train --dp}: epsilon in the progress lines, the summary and summary.json; bad DP flags in one line. */
class DpCommandTest {

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aDpRunReportsEpsilonAtDelta(@TempDir Path dir) throws Exception {
        Object[] r = TrainCommandTest.run("train", "--trainer", "sync", "--workers", "2", "--model", "mlp", "--hidden",
                "8", "--data", "synthetic:train=1200,test=200", "--epochs", "2", "--batch", "20", "--dp", "psac",
                "--dp-noise", "1.1", "--dp-delta", "1e-4", "--out", dir.toString());
        assertThat(r[0]).as("%s", r[2]).isEqualTo(0);
        assertThat((String) r[1]).contains("differential privacy: --dp psac, epsilon ").contains("at delta 1.0E-4 over"
                + " 60 steps");
        assertThat((String) r[2]).containsPattern("evaluation after 60 iterations: test accuracy [0-9.]+ %, loss "
                + "[0-9.]+, epsilon [0-9.]+ \\(delta 1e-04\\)");
        String json = Files.readString(dir.resolve("summary.json"));
        assertThat(json).contains("\"dp_epsilon\": ").contains("\"dp_delta\": 0.0001").contains("\"dp_steps\": 60");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void badDpFlagsFailInOneLineWithStatusTwo(@TempDir Path dir) {
        String[] base = {"train", "--data", "synthetic", "--quiet", "--out", dir.toString()};
        assertOneLine(with(base, "--trainer", "async", "--dp", "psac"), "trainer async has no option dp");
        assertOneLine(with(base, "--trainer", "sync", "--dp", "gauss"), "--dp must be psac, clip or autos");
        assertOneLine(with(base, "--trainer", "sync", "--dp", "clip", "--dp-clip", "-1"), "dp-clip must be above 0");
        assertOneLine(with(base, "--trainer", "pipe", "--dp-noise", "2"), "--dp-noise has no effect without --dp");
    }

    private static Object[] with(String[] base, String... extra) {
        String[] all = new String[base.length + extra.length];
        System.arraycopy(base, 0, all, 0, base.length);
        System.arraycopy(extra, 0, all, base.length, extra.length);
        return TrainCommandTest.run(all);
    }

    private static void assertOneLine(Object[] r, String mentions) {
        String err = ((String) r[2]).strip();
        assertThat(r[0]).as("%s", err).isEqualTo(Main.USAGE);
        assertThat(Main.USAGE).isEqualTo(2);
        assertThat(err.lines().filter(l -> l.startsWith("ringsgd: ")).count()).as(err).isEqualTo(1);
        assertThat(err).contains(mentions).doesNotContain("\tat ");
    }
}

package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code ringsgd run}: all ranks succeed; a failing rank stops the others and its status is returned. */
class LocalLauncherTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void allRanksSucceedWithPrefixedOutput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = new LocalLauncher(3, "127.0.0.1", 0, true, Map.of(), RankScript.class.getName())
                .launch(List.of("-1", "0"), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(status).isZero();
        String o = out.toString(StandardCharsets.UTF_8);
        for (int r = 0; r < 3; r++) {
            assertThat(o).contains("[rank " + r + "] hello from rank " + r + " of 3 secret=true");
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("[rank " + r + "] stderr of rank " + r);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailingRankStopsTheOthersAndItsStatusIsReturned() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int status = new LocalLauncher(4, "127.0.0.1", 0, true, Map.of(), RankScript.class.getName())
                .launch(List.of("2", "7"), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(status).isEqualTo(7);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rank 2 exited with status 7; stopping the other"
                + " ranks");
        // The others sleep for two minutes unless stopped; the test's own timeout is one.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void benchOverTcpStartsItsOwnRanks() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream old = System.out;
        System.setOut(new PrintStream(out, true));
        int status;
        try {
            status = Main.execute("bench", "allreduce", "--transport", "tcp", "--np", "3", "--bytes", "8,100k",
                    "--iters", "3", "--warmup", "1", "--algorithm", "ring,tree", "--json");
        } finally {
            System.setOut(old);
        }
        assertThat(status).isZero();
        String o = out.toString(StandardCharsets.UTF_8);
        assertThat(o.lines().filter(l -> l.startsWith("{")).count()).isEqualTo(4);
        assertThat(o).contains("\"transport\":\"tcp\",\"np\":3").doesNotContain("\"correct\":false");
    }
}

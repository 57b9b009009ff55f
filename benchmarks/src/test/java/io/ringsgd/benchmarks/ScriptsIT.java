package io.ringsgd.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code launch/bin/ringsgd} script as users run it, with its standard error going to a pipe. */
class ScriptsIT {
    private static final String JAR = new File(System.getProperty("ringsgd.jar", "../launch/target/ringsgd.jar"))
            .getAbsolutePath();
    private static final String RINGSGD = new File(new File(System.getProperty("ringsgd.mpjrun",
            "../launch/bin/ringsgd-mpjrun")).getParentFile(), "ringsgd").getAbsolutePath();

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void logLinesReachAPipeWhileTheJobRuns() throws Exception {
        // Two ranks that log when they connect, then run AllReduces far longer than the test.
        ProcessBuilder pb = new ProcessBuilder(RINGSGD, "run", "-np", "2", "--", "bench", "allreduce", "--bytes", "8",
                "--iters", "100000000", "--warmup", "0", "--warmup-seconds", "0");
        pb.environment().put("RINGSGD_JAR", JAR);
        Process p = pb.start();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
                StandardCharsets.UTF_8))) {
            String line;
            boolean seen = false;
            while (!seen && (line = err.readLine()) != null) {
                seen = line.contains("TcpRendezvous");
            }
            assertThat(seen).as("the rendezvous log line came").isTrue();
            // It came while the job was still running: the script passes its standard error on line by line.
            assertThat(p.isAlive()).isTrue();
        } finally {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }
}

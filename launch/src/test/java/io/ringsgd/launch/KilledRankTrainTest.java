package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The trainers for workers of unequal speed ({@code async}, {@code ebsp}) as one process per rank over TCP, the way
 * a job runs in production, with one process killed (SIGKILL) once rank 0 has started training: every survivor ends
 * with an error naming the killed rank, none hangs. Async: a killed worker is named by the master (and the other
 * worker); a killed master ends every worker with an error naming rank 0. Elastic BSP: a killed rank is named by
 * every survivor.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class KilledRankTrainTest {
    /** Long enough that nobody finishes before the kill; small enough to start quickly. */
    private static final List<String> TRAIN = List.of("train", "--transport", "tcp", "--model", "softmax", "--data",
            "synthetic:train=6000,test=300,features=32,classes=4", "--epochs", "400", "--batch", "8");

    @TempDir
    Path tmp;

    private final List<Process> procs = new ArrayList<>();

    /** One rank's process with its output, read as it comes. */
    private static final class Rank {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final CountDownLatch training = new CountDownLatch(1);
        final Thread reader;

        Rank(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line; (line = r.readLine()) != null; ) {
                        output.append(line).append('\n');
                        if (line.startsWith("training ")) {
                            training.countDown();
                        }
                    }
                } catch (IOException e) {
                    output.append("(output unreadable: ").append(e).append(")\n");
                }
            }, "rank output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Waits for the exit (the test's timeout bounds it) and the rest of the output. */
        int exit() throws InterruptedException {
            int status = process.waitFor();
            reader.join();
            return status;
        }
    }

    @AfterEach
    void killLeftovers() {
        for (Process p : procs) {
            p.destroyForcibly();
        }
    }

    private List<Rank> start(int p, String trainer, String... options) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<Rank> ranks = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Dringsgd.timeout=30s", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            cmd.addAll(TRAIN);
            cmd.addAll(List.of("--trainer", trainer, "--out", tmp.resolve("out" + r).toString()));
            cmd.addAll(List.of(options));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("RANK", Integer.toString(r));
            pb.environment().put("WORLD_SIZE", Integer.toString(p));
            pb.environment().put("MASTER_ADDR", "127.0.0.1");
            pb.environment().put("MASTER_PORT", Integer.toString(port));
            pb.environment().put("RINGSGD_SECRET", "killed-rank-test");
            Process proc = pb.start();
            procs.add(proc);
            ranks.add(new Rank(proc));
        }
        return ranks;
    }

    /** Kills {@code victim} once rank 0 has started training. */
    private static void killOnceTraining(List<Rank> ranks, int victim) throws InterruptedException {
        assertThat(ranks.get(0).training.await(150, TimeUnit.SECONDS)).as("rank 0 started training; its output:%n%s",
                ranks.get(0).output).isTrue();
        ranks.get(victim).process.destroyForcibly().waitFor();
    }

    private static void namesTheKilledRank(List<Rank> ranks, int victim, int... survivors) throws Exception {
        for (int r : survivors) {
            Rank rank = ranks.get(r);
            int status = rank.exit();
            String out = rank.output.toString();
            assertThat(status).as("rank %d's exit status; output:%n%s", r, out).isEqualTo(Main.COLLECTIVE_FAILED);
            assertThat(out).as("rank %d's output", r).containsPattern("ringsgd: .*rank " + victim + "\\b");
        }
    }

    @Test
    void asyncAKilledWorkerIsNamedByTheMasterAndTheOtherWorker() throws Exception {
        List<Rank> ranks = start(3, "async");
        killOnceTraining(ranks, 2);
        namesTheKilledRank(ranks, 2, 0, 1);
    }

    @Test
    void asyncAKilledMasterEndsEveryWorkerWithAnErrorNamingRank0() throws Exception {
        List<Rank> ranks = start(3, "async");
        killOnceTraining(ranks, 0);
        namesTheKilledRank(ranks, 0, 1, 2);
    }

    @Test
    void ebspAKilledRankIsNamedByEverySurvivor() throws Exception {
        List<Rank> ranks = start(3, "ebsp");
        killOnceTraining(ranks, 1);
        namesTheKilledRank(ranks, 1, 0, 2);
    }
}

package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.testing.TcpRankMain;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** TCP with one JVM per rank, as in production: correct results, and a rank killed mid-job named by every survivor. */
class TcpProcessTest {

    static List<Process> spawn(int p, String... jvmArgs) throws IOException {
        return spawn(p, true, jvmArgs);
    }

    /**
     * With {@code unix} false the ranks connect over TCP loopback only ({@code RINGSGD_UNIX_SOCKETS=0,
     * RINGSGD_SHM=0}).
     */
    static List<Process> spawn(int p, boolean unix, String... jvmArgs) throws IOException {
        return spawn(p, unix, unix, jvmArgs);
    }

    /** With {@code shm} false same-machine ranks keep their data on sockets ({@code RINGSGD_SHM=0}). */
    static List<Process> spawn(int p, boolean unix, boolean shm, String... jvmArgs) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
        List<Process> procs = new ArrayList<>();
        for (int r = 0; r < p; r++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Dringsgd.timeout=20s", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"));
            cmd.addAll(List.of(jvmArgs));
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), TcpRankMain.class.getName()));
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("RANK", Integer.toString(r));
            pb.environment().put("WORLD_SIZE", Integer.toString(p));
            pb.environment().put("MASTER_ADDR", "127.0.0.1");
            pb.environment().put("MASTER_PORT", Integer.toString(port));
            pb.environment().put("RINGSGD_SECRET", "process-test");
            pb.environment().put("RINGSGD_UNIX_SOCKETS", unix ? "1" : "0");
            pb.environment().put("RINGSGD_SHM", shm ? "1" : "0");
            procs.add(pb.start());
        }
        return procs;
    }

    static String output(Process p) throws Exception {
        if (!p.waitFor(90, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "TIMED OUT";
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAlgorithmAcrossProcesses(int p) throws Exception {
        List<Process> procs = spawn(p);
        for (int r = 0; r < p; r++) {
            String out = output(procs.get(r));
            assertThat(out).as("rank %d output", r).contains("OK rank " + r);
            assertThat(procs.get(r).exitValue()).isZero();
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKilledRankIsNamedByEverySurvivor(int p) throws Exception {
        aKilledRankIsNamed(p, true);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKilledRankIsNamedByEverySurvivorOverTcpLoopback(int p) throws Exception {
        aKilledRankIsNamed(p, false);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAlgorithmAcrossProcessesOverTcpLoopback(int p) throws Exception {
        List<Process> procs = spawn(p, false);
        for (int r = 0; r < p; r++) {
            String out = output(procs.get(r));
            assertThat(out).as("rank %d output", r).contains("OK rank " + r);
            assertThat(procs.get(r).exitValue()).isZero();
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aKilledRankIsNamedByEverySurvivorOverUnixSockets(int p) throws Exception {
        aKilledRankIsNamed(p, true, false);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAlgorithmAcrossProcessesOverUnixSockets(int p) throws Exception {
        List<Process> procs = spawn(p, true, false);
        for (int r = 0; r < p; r++) {
            String out = output(procs.get(r));
            assertThat(out).as("rank %d output", r).contains("OK rank " + r);
            assertThat(procs.get(r).exitValue()).isZero();
        }
    }

    /**
     * Ranks in a loop of 4 MiB AllReduces through shared memory; one is killed from outside (SIGKILL) in the middle
     * of it, most likely while it copies into or out of a ring: every survivor names it, none hangs.
     */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aRankKilledWhileStreamingThroughSharedMemoryIsNamed(int p) throws Exception {
        int dead = 1;
        List<Process> procs = spawn(p, true, true, "-Dforever=true");
        // Let the ranks connect and run a while (each prints "LOOPING" once its first collective is done).
        java.io.BufferedReader first = new java.io.BufferedReader(new java.io.InputStreamReader(
                procs.get(dead).getInputStream(), StandardCharsets.UTF_8));
        String line = first.readLine();
        assertThat(line).startsWith("LOOPING");
        Thread.sleep(1500);
        procs.get(dead).destroyForcibly().waitFor();
        for (int r = 0; r < p; r++) {
            if (r == dead) {
                continue;
            }
            String out = output(procs.get(r));
            assertThat(out).as("rank %d output", r).contains("FAILED blamed=" + dead);
            assertThat(procs.get(r).exitValue()).isEqualTo(3);
        }
    }

    private static void aKilledRankIsNamed(int p, boolean unix) throws Exception {
        aKilledRankIsNamed(p, unix, unix);
    }

    private static void aKilledRankIsNamed(int p, boolean unix, boolean shm) throws Exception {
        int dead = p - 2;
        List<Process> procs = spawn(p, unix, shm, "-Ddie=" + dead);
        for (int r = 0; r < p; r++) {
            String out = output(procs.get(r));
            if (r == dead) {
                assertThat(procs.get(r).exitValue()).isEqualTo(137);
                continue;
            }
            assertThat(out).as("rank %d output", r).contains("FAILED blamed=" + dead);
            assertThat(out).contains("rank " + dead);
            assertThat(procs.get(r).exitValue()).isEqualTo(3);
        }
    }
}

package io.ringsgd.benchmarks.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs on 4 emulated hosts (network namespaces with 200 Mbit/s links and half a core each), started as users start
 * them: {@code ringsgd run --hostfile} through the cluster's remote shell, and {@code ringsgd-mpjrun} with MPJ
 * daemons on every host. Checks exact, bit-identical results; that ranks on different hosts never take the
 * same-machine shortcut; that a host whose link goes down or whose process is killed is named by every survivor
 * within the stated bound; and that nothing is left behind. Skipped, with the reason printed, where network
 * namespaces cannot be made (not root, no tbf).
 */
class EmulatedClusterIT {
    private static final String JAR = new File(System.getProperty("ringsgd.jar", "../launch/target/ringsgd.jar"))
            .getAbsolutePath();
    private static final String MPJRUN = new File(System.getProperty("ringsgd.mpjrun",
            "../launch/bin/ringsgd-mpjrun")).getAbsolutePath();
    private static final int HOSTS = 4;
    /** The collectives' timeout in the fault tests. */
    private static final long TIMEOUT_S = 4;
    /**
     * A stalled host is named within the timeout, plus the grace in which the waiting ranks exchange stall reports
     * (timeout / 5, at least 1 s), plus 8 s for processes on half a core each of a machine that may be busy
     * (12.6 s was seen once while other builds ran).
     */
    private static final long STALL_BOUND_MS = TIMEOUT_S * 1000 + Math.max(1000, TIMEOUT_S * 200) + 8000;
    /** A killed host's peers see their connections reset: named within 3 s. */
    private static final long KILL_BOUND_MS = 3000;

    private static NetCluster cluster;
    private static Path hostfile;

    @TempDir
    static Path dir;

    @BeforeAll
    static void up() throws Exception {
        String why = NetCluster.whyNot();
        if (why != null) {
            System.err.println("EmulatedClusterIT skipped: " + why);
        }
        Assumptions.assumeTrue(why == null, why);
        Assumptions.assumeTrue(new File(JAR).isFile(), "the ringsgd jar " + JAR + " is missing: run mvn verify");
        cluster = NetCluster.up("it" + ProcessHandle.current().pid(), HOSTS, "200mbit", List.of());
        hostfile = cluster.hostfile(dir);
    }

    @AfterAll
    static void down() throws Exception {
        if (cluster != null) {
            cluster.close();
            assertThat(cluster.leftovers()).as("what netcluster down left behind").isEmpty();
        }
    }

    @AfterEach
    void nothingLeftOnTheHosts() throws Exception {
        for (int i = 0; i < HOSTS; i++) {
            List<Long> left = cluster.processes(i);
            cluster.killProcesses(i);
            assertThat(left).as("processes left on h%d after the job", i).isEmpty();
        }
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyAlgorithmIsExactAndBitIdenticalAcrossFourHosts() throws Exception {
        Job job = run(List.of("run", "--hostfile", hostfile.toString(), "--rsh", cluster.rsh(), "--", "bench",
                "allreduce", "--transport", "tcp", "--bytes", "8,65540,1m", "--algorithm", "all", "--iters", "3",
                "--warmup", "1", "--warmup-seconds", "0", "--json"), Map.of());
        assertThat(job.await(140)).as(job.output()).isZero();
        List<String> rows = job.output().lines().filter(l -> l.contains("{\"transport\":\"tcp\",\"np\":4")).toList();
        assertThat(rows).as(job.output()).hasSize(12).allMatch(l -> l.contains("\"correct\":true"));
        assertThat(job.output()).doesNotContain("Unix-domain").doesNotContain("shared memory");
    }

    /**
     * A mixed job: two hosts with two processes each. Ranks of one host move their data through shared memory (or,
     * with RINGSGD_SHM=0, Unix-domain sockets), ranks of different hosts over TCP; results are exact either way.
     */
    @Test
    @Timeout(value = 250, unit = TimeUnit.SECONDS)
    void onlyRanksOfOneHostTakeTheSameMachineShortcut() throws Exception {
        List<String> cmd = List.of("run", "--hosts", "h0:2,h1:2", "--rsh", cluster.rsh(), "--", "bench", "allreduce",
                "--transport", "tcp", "--bytes", "8,1m,4m", "--algorithm", "ring,rabenseifner,tree", "--iters", "2",
                "--warmup", "1", "--warmup-seconds", "0", "--json");
        Job job = run(cmd, Map.of());
        assertThat(job.await(120)).as(job.output()).isZero();
        // Rank 0 shares h0 with rank 1 only; ranks 2 and 3 are on h1, in another network namespace.
        assertThat(job.output()).contains("rank 0 reaches 1 of its 3 peers through shared memory")
                .doesNotContain("Unix-domain").doesNotContain("\"correct\":false").contains("\"correct\":true");
        Job off = run(cmd, Map.of("RINGSGD_SHM", "0"));
        assertThat(off.await(120)).as(off.output()).isZero();
        assertThat(off.output()).contains("rank 0 reaches 1 of its 3 peers through Unix-domain sockets")
                .doesNotContain("shared memory").doesNotContain("\"correct\":false").contains("\"correct\":true");
    }

    /**
     * splitByHost() on emulated hosts: two hosts with two ranks each make two host groups, and the hierarchical
     * AllReduce built from them (shared memory inside a host, TCP between) is exact and bit-identical.
     */
    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void hierarchicalAllreduceFindsTheHostsItself() throws Exception {
        Job job = run(List.of("run", "--hosts", "h0:2,h1:2", "--rsh", cluster.rsh(), "--", "bench", "allreduce",
                "--transport", "tcp", "--bytes", "8,65540,1m", "--hierarchy", "host", "--iters", "2", "--warmup", "1",
                "--warmup-seconds", "0", "--json"), Map.of());
        assertThat(job.await(140)).as(job.output()).isZero();
        assertThat(job.output()).contains("rank 0's host has 2 of the 4 ranks (reduce-scatter form)");
        List<String> rows = job.output().lines().filter(l -> l.contains("\"algorithm\":\"hierarchical\"")).toList();
        assertThat(rows).as(job.output()).hasSize(3).allMatch(l -> l.contains("\"correct\":true"));
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void trainingOnFourHostsEndsWithTheParametersOfTheSameJobInOneJvm() throws Exception {
        List<String> train = List.of("train", "--trainer", "pipe", "--width", "2", "--model", "softmax", "--data",
                "synthetic:train=2048,test=256,features=32,classes=4", "--epochs", "1", "--batch", "16", "--quiet",
                "--out", dir.resolve("train-out").toString());
        List<String> onHosts = new ArrayList<>(List.of("run", "--hostfile", hostfile.toString(), "--rsh",
                cluster.rsh(), "--"));
        onHosts.addAll(train);
        onHosts.addAll(List.of("--transport", "tcp"));
        Job hosts = run(onHosts, Map.of());
        assertThat(hosts.await(150)).as(hosts.output()).isZero();
        List<String> inJvm = new ArrayList<>(train);
        inJvm.addAll(List.of("--transport", "local", "--workers", "4"));
        Job local = run(inJvm, Map.of());
        assertThat(local.await(120)).as(local.output()).isZero();
        String expected = sha(local.output());
        assertThat(expected).as(local.output()).isNotNull();
        assertThat(sha(hosts.output())).as(hosts.output()).isEqualTo(expected);
    }

    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void mpjExpressNiodevWithADaemonOnEveryHost() throws Exception {
        Assumptions.assumeTrue(new File("/usr/share/java/mpj.jar").isFile()
                || (System.getenv("MPJ_HOME") != null && new File(System.getenv("MPJ_HOME"), "lib/mpj.jar").isFile()),
                "MPJ Express is not installed (apt-get install libmpj-java)");
        List<String> cmd = List.of(MPJRUN, "-np", "4", "-dev", "niodev", "-machinesfile", hostfile.toString(),
                "--rsh", cluster.rsh(), "--start-daemons", "--", "bench", "allreduce", "--transport", "mpj",
                "--bytes", "8,65540", "--algorithm", "ring,mpj-native", "--iters", "3", "--warmup", "1",
                "--warmup-seconds", "0", "--json");
        Job job = start(cmd, Map.of("RINGSGD_JAR", JAR));
        assertThat(job.await(190)).as(job.output()).isZero();
        List<String> rows = job.output().lines().filter(l -> l.contains("{\"transport\":\"mpj\",\"np\":4")).toList();
        assertThat(rows).as(job.output()).hasSize(4).allMatch(l -> l.contains("\"correct\":true"));
        assertThat(job.output()).contains("started MPJ daemons on h0 h1 h2 h3");
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aHostWhoseLinkGoesDownIsNamedByEverySurvivor() throws Exception {
        Job job = longCollectives();
        awaitTraffic(job);
        long down = System.nanoTime();
        cluster.link(2, false);
        try {
            assertThat(job.await(120)).as(job.output()).isNotZero();
        } finally {
            cluster.link(2, true);
        }
        assertEverySurvivorNamesRank2(job, down, STALL_BOUND_MS);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void aHostWhoseProcessIsKilledIsNamedByEverySurvivor() throws Exception {
        Job job = longCollectives();
        awaitTraffic(job);
        long killed = System.nanoTime();
        cluster.killProcesses(2);
        assertThat(job.await(120)).as(job.output()).isNotZero();
        assertEverySurvivorNamesRank2(job, killed, KILL_BOUND_MS);
        assertThat(job.output()).contains("rank 2 on h2 exited with status 137");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static void assertEverySurvivorNamesRank2(Job job, long faultNanos, long boundMs) {
        for (int r : new int[] {0, 1, 3}) {
            Long at = job.firstLine("[rank " + r + "] ringsgd: rank 2 ");
            assertThat(at).as("rank %d names rank 2:%n%s", r, job.output()).isNotNull();
            assertThat(TimeUnit.NANOSECONDS.toMillis(at - faultNanos)).as("rank %d named rank 2 after", r)
                    .isLessThanOrEqualTo(boundMs);
        }
    }

    /** AllReduces of 1 MiB on the 4 hosts for far longer than the test: only a fault ends them. */
    private Job longCollectives() throws Exception {
        return run(List.of("run", "--hostfile", hostfile.toString(), "--rsh", cluster.rsh(), "--", "bench",
                "allreduce", "--transport", "tcp", "--bytes", "1m", "--algorithm", "ring", "--iters", "100000",
                "--warmup", "0", "--warmup-seconds", "0"), Map.of("RINGSGD_TIMEOUT", TIMEOUT_S + "s"));
    }

    /** Waits until host 2 has sent 4 MiB: the ranks are connected and inside their collectives. */
    private static void awaitTraffic(Job job) throws Exception {
        long t0 = System.nanoTime();
        long base = cluster.txBytes(2);
        while (cluster.txBytes(2) - base < (4 << 20)) {
            assertThat(job.process.isAlive()).as("the job ended before the fault: %s", job.output()).isTrue();
            assertThat(System.nanoTime() - t0).as("no traffic from h2: %s", job.output())
                    .isLessThan(TimeUnit.SECONDS.toNanos(90));
            Thread.sleep(100);
        }
    }

    private static Job run(List<String> ringsgdArgs, Map<String, String> env) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaExecutable(), "-Xmx256m", "-jar", JAR));
        cmd.addAll(ringsgdArgs);
        return start(cmd, env);
    }

    private static Job start(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.environment().put("RINGSGD_JAVA_OPTS", "-Xmx256m");
        return new Job(pb.start());
    }

    private static String sha(String output) {
        Matcher m = Pattern.compile("parameters sha256 ([0-9a-f]{64})").matcher(output);
        return m.find() ? m.group(1) : null;
    }

    private static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /** A running command whose output lines are kept with the time they arrived. */
    private static final class Job {
        final Process process;
        final StringBuffer output = new StringBuffer();
        final Map<String, Long> firstSeen = new ConcurrentHashMap<>();
        final Thread pump;

        Job(Process p) {
            this.process = p;
            this.pump = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = r.readLine()) != null) {
                        long now = System.nanoTime();
                        output.append(line).append('\n');
                        firstSeen.putIfAbsent(line, now);
                    }
                } catch (IOException ignored) {
                    // the process is gone
                }
            });
            pump.setDaemon(true);
            pump.start();
        }

        int await(long seconds) throws Exception {
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new AssertionError("the job did not end in " + seconds + " s:\n" + output);
            }
            pump.join(10_000);
            return process.exitValue();
        }

        String output() {
            return output.toString();
        }

        /** When the first line starting with {@code prefix} arrived ({@link System#nanoTime}), or null. */
        Long firstLine(String prefix) {
            return firstSeen.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                    .map(Map.Entry::getValue).min(Long::compare).orElse(null);
        }
    }
}

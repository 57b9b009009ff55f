package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The binary distribution as a user gets it: {@code launch/target/ringsgd-<version>-bin.tar.gz} unpacked into a
 * temporary directory, its scripts run from a working directory outside the source tree, with nothing but a JDK on
 * the path (no {@code RINGSGD_JAR}, no Maven). The version, a small training run, a two-process job through
 * {@code ringsgd run}, an MPJ Express job where MPJ Express is installed, a call through a symbolic link, and a
 * distribution whose jar is missing.
 */
class DistributionIT {
    @TempDir
    static Path tmp;
    /** The unpacked distribution: ringsgd-VERSION/ with bin/ and lib/. */
    static Path home;
    /** The working directory of every command, outside the distribution and the source tree. */
    static Path work;

    @BeforeAll
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("ringsgd.dist", "target/ringsgd-bin.tar.gz")).toAbsolutePath();
        assertThat(tarball).as("mvn package makes the distribution").exists();
        Run r = run(tmp, 100, "tar", "-xzf", tarball.toString(), "-C", tmp.toString());
        assertThat(r.status).as(r.output).isZero();
        home = tmp.resolve("ringsgd-" + version());
        work = Files.createDirectories(tmp.resolve("work"));
    }

    private static String version() {
        return System.getProperty("ringsgd.version", "0.1.0-SNAPSHOT");
    }

    @Test
    void theTarballHoldsTheScriptsTheJarAndTheTexts() throws IOException {
        for (String script : List.of("bin/ringsgd", "bin/ringsgd-mpjrun", "bin/netcluster")) {
            assertThat(Files.getPosixFilePermissions(home.resolve(script))).as(script)
                    .contains(PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OTHERS_EXECUTE);
        }
        assertThat(home.resolve("bin/ringsgd-env.sh")).isRegularFile();
        assertThat(home.resolve("README.md")).isRegularFile();
        assertThat(Files.readString(home.resolve("LICENSE"))).contains("Apache License", "Version 2.0");
        // Nothing of a source tree: the scripts must not think they can build.
        assertThat(home.resolve("pom.xml")).doesNotExist();
        try (ZipFile jar = new ZipFile(home.resolve("lib/ringsgd.jar").toFile())) {
            // Everything the CLI needs is in the one jar: the trainers, the plot, JCuda's JNI stubs, the logger.
            for (String entry : List.of("io/ringsgd/launch/Main.class", "io/ringsgd/cocod/CocodSgdTrainer.class",
                    "org/knowm/xchart/XYChart.class", "org/slf4j/simple/SimpleLogger.class")) {
                assertThat(jar.getEntry(entry)).as(entry).isNotNull();
            }
            assertThat(jar.stream().anyMatch(e -> e.getName().contains("JCudaRuntime") && e.getName().endsWith(".so")))
                    .as("JCuda's JNI stub for linux-x86_64").isTrue();
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void versionNamesTheProjectVersion() throws Exception {
        Run r = ringsgd("--version");
        assertThat(r.status).as(r.output).isZero();
        assertThat(r.output.trim()).isEqualTo("ringsgd " + version());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aSymbolicLinkToTheScriptFindsTheDistribution() throws Exception {
        Path links = Files.createDirectories(tmp.resolve("links"));
        Path link = Files.createSymbolicLink(links.resolve("ringsgd"), home.resolve("bin/ringsgd"));
        Run r = run(work, 50, link.toString(), "--version");
        assertThat(r.status).as(r.output).isZero();
        assertThat(r.output.trim()).isEqualTo("ringsgd " + version());
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void trainRunsOnSyntheticDataAndWritesItsOutputs() throws Exception {
        Run r = ringsgd("train", "--trainer", "pipe", "--width", "2", "--workers", "2", "--model", "softmax",
                "--data", "synthetic:train=512,test=128,features=8,classes=3", "--epochs", "1", "--batch", "8",
                "--out", "run1");
        assertThat(r.status).as(r.output).isZero();
        // The summary (standard output; progress goes to standard error through the script's filter).
        assertThat(r.output).contains("pipe width 2 on 2 workers, softmax").contains("final test accuracy")
                .contains("(identical on every rank)");
        Path out = work.resolve("run1");
        assertThat(Files.readString(out.resolve("summary.json"))).contains("\"trainer\": \"pipe\"", "\"workers\": 2");
        assertThat(out.resolve("metrics.csv")).isNotEmptyFile();
        byte[] png = Files.readAllBytes(out.resolve("metrics.png"));
        assertThat(Arrays.copyOf(png, 4)).isEqualTo(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void runStartsTwoProcessesThatAllreduceOverTcp() throws Exception {
        Run r = ringsgd("run", "-np", "2", "--", "bench", "allreduce", "--bytes", "8,64k", "--iters", "3",
                "--warmup", "1", "--json");
        assertTwoRanksSummedCorrectly(r, "tcp");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void mpjrunRunsAMulticoreJob() throws Exception {
        boolean mpj = Files.isRegularFile(Path.of("/usr/share/mpj/lib/starter.jar"))
                || System.getenv("MPJ_HOME") != null && Files.isRegularFile(Path.of(System.getenv("MPJ_HOME"),
                        "lib/starter.jar"));
        assumeTrue(mpj, "MPJ Express is not installed (apt-get install libmpj-java, or MPJ_HOME)");
        try (ZipFile jar = new ZipFile(home.resolve("lib/ringsgd.jar").toFile())) {
            assumeTrue(jar.getEntry("io/ringsgd/launch/mpj/MpjTransport.class") != null,
                    "this build was made without MPJ Express");
        }
        Run r = run(work, 150, home.resolve("bin/ringsgd-mpjrun").toString(), "-np", "2", "--", "bench",
                "allreduce", "--transport", "mpj", "--bytes", "8,1000", "--iters", "2", "--warmup", "1", "--json");
        assertTwoRanksSummedCorrectly(r, "mpj");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aDistributionWithoutItsJarSaysSoInOneLine() throws Exception {
        Path broken = Files.createDirectories(tmp.resolve("broken/bin"));
        for (String f : List.of("ringsgd", "ringsgd-env.sh")) {
            Files.copy(home.resolve("bin").resolve(f), broken.resolve(f));
        }
        Run r = run(work, 50, broken.resolve("ringsgd").toString(), "--version");
        assertThat(r.status).isEqualTo(2);
        assertThat(r.output.trim()).doesNotContain("\n").contains("lib/ringsgd.jar is missing")
                .doesNotContain("mvn");
    }

    /** A bench of two sizes on 2 ranks that exited 0, with a JSON line per size saying the result was exact. */
    private static void assertTwoRanksSummedCorrectly(Run r, String transport) {
        assertThat(r.status).as(r.output).isZero();
        List<String> rows = r.output.lines().filter(l -> l.contains("{\"")).toList();
        assertThat(rows).as(r.output).hasSize(2);
        for (String row : rows) {
            assertThat(row).contains("\"transport\":\"" + transport + "\",\"np\":2").contains("\"correct\":true");
        }
    }

    private static Run ringsgd(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(home.resolve("bin/ringsgd").toString()));
        cmd.addAll(List.of(args));
        return run(work, 150, cmd.toArray(String[]::new));
    }

    /** Output (stdout and stderr) and status of a command, with this JVM's java first on the path. */
    private static Run run(Path dir, long timeoutSeconds, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.remove("RINGSGD_JAR");
        env.remove("RINGSGD_JAVA_OPTS");
        env.put("PATH", System.getProperty("java.home") + File.separator + "bin" + File.pathSeparator
                + env.getOrDefault("PATH", "/usr/bin:/bin"));
        Path log = Files.createTempFile(tmp, "cmd", ".out");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", cmd) + " did not end within " + timeoutSeconds + " s:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        return new Run(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
    }

    private record Run(int status, String output) {
    }
}

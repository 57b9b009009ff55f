package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ringsgd run}: all ranks succeed; a failing rank stops the others and its status is returned; ranks on a host
 * list go through the remote shell with their local ranks; the secret travels on standard input, not in the
 * environment; killing the launcher stops its ranks.
 */
class LauncherTest {
    /** A remote shell that runs the words on this machine, as ssh would on the host: rsh HOST WORDS. */
    private static final List<String> FAKE_RSH = List.of("sh", "-c", "exec sh -c \"$2\"", "fake-rsh");

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void allRanksSucceedWithPrefixedOutput() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.builder(3).mainClass(RankScript.class.getName()).build()
                .launch(List.of("-1", "0"), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(status).isZero();
        String o = out.toString(StandardCharsets.UTF_8);
        for (int r = 0; r < 3; r++) {
            assertThat(o).contains("[rank " + r + "] hello from rank " + r + " of 3 local " + r + "/3 secret=true"
                    + " envsecret=false");
            assertThat(err.toString(StandardCharsets.UTF_8)).contains("[rank " + r + "] stderr of rank " + r);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aFailingRankStopsTheOthersAndItsStatusIsReturned() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        long t0 = System.nanoTime();
        int status = Launcher.builder(4).mainClass(RankScript.class.getName()).build()
                .launch(List.of("2", "7"), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(status).isEqualTo(7);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rank 2 exited with status 7; stopping the other"
                + " ranks");
        // The others sleep for two minutes unless stopped; the test's own timeout is one.
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0)).isLessThan(60);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void ranksOnAHostListGoThroughTheRemoteShellWithTheirLocalRanks() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.builder(3).hosts(HostList.parse("a:2,b:2", 0)).rsh(FAKE_RSH)
                .mainClass(RankScript.class.getName()).build()
                .launch(List.of("-1", "0"), new PrintStream(out, true), new PrintStream(err, true));
        assertThat(status).isZero();
        String o = out.toString(StandardCharsets.UTF_8);
        assertThat(o).contains("[rank 0] hello from rank 0 of 3 local 0/2 secret=true envsecret=false")
                .contains("[rank 1] hello from rank 1 of 3 local 1/2 secret=true")
                .contains("[rank 2] hello from rank 2 of 3 local 0/1 secret=true");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aRemoteRankThatFailsIsNamedWithItsHost() throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status = Launcher.builder(2).hosts(HostList.parse("a,b", 0)).rsh(FAKE_RSH)
                .mainClass(RankScript.class.getName()).build()
                .launch(List.of("1", "5"), new PrintStream(new ByteArrayOutputStream(), true),
                        new PrintStream(err, true));
        assertThat(status).isEqualTo(5);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("rank 1 on b exited with status 5");
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void killingTheLauncherStopsItsRanks() throws Exception {
        List<String> cmd = Launcher.javaCommand(LauncherMain.class.getName(), List.of("3", "-2", "0"));
        Process launcher = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        List<Long> pids = new ArrayList<>();
        Pattern pid = Pattern.compile("pid=(\\d+)");
        try (BufferedReader r = new BufferedReader(new InputStreamReader(launcher.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while (pids.size() < 3 && (line = r.readLine()) != null) {
                Matcher m = pid.matcher(line);
                if (m.find()) {
                    pids.add(Long.parseLong(m.group(1)));
                }
            }
            assertThat(pids).hasSize(3);
            launcher.destroyForcibly().waitFor();
            for (long p : pids) {
                Optional<ProcessHandle> h = ProcessHandle.of(p);
                if (h.isPresent()) {
                    h.get().onExit().get(20, TimeUnit.SECONDS);
                }
                assertThat(ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                        .as("rank process %d still alive after its launcher was killed", p).isFalse();
            }
        } finally {
            launcher.destroyForcibly();
            for (long p : pids) {
                ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void hostListsParseLikeMpirunsAndRefuseTooFewSlots(@TempDir Path dir) throws Exception {
        HostList h = HostList.parse("h0:2,h1", 0);
        assertThat(h.slots()).isEqualTo(3);
        assertThat(h.place(3)).extracting(HostList.Placement::host).containsExactly("h0", "h0", "h1");
        assertThat(HostList.parse("h0:2,h1", 3).slots()).isEqualTo(6);
        Path f = dir.resolve("hosts");
        Files.writeString(f, "# the cluster\nh0 slots=2\n\nh1:3   # big one\nh2\n");
        HostList fromFile = HostList.read(f, 0);
        assertThat(fromFile.hosts()).containsExactly(new HostList.Host("h0", 2), new HostList.Host("h1", 3),
                new HostList.Host("h2", 1));
        assertThat(fromFile.place(4)).extracting(HostList.Placement::localRank).containsExactly(0, 1, 0, 1);
        assertThatThrownBy(() -> fromFile.place(7)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("-np 7 but the hosts give 6 slots: add hosts, raise their slots (host:N,"
                        + " --slots-per-host) or lower -np");
        Files.writeString(f, "h0 cpus=2\n");
        assertThatThrownBy(() -> HostList.read(f, 0)).hasMessageContaining("line 1 of " + f + ": 'cpus=2' is not"
                + " slots=N");
        assertThatThrownBy(() -> HostList.parse("h0:0", 0)).hasMessageContaining("at least 1 slot");
        assertThatThrownBy(() -> HostList.read(dir.resolve("none"), 0)).hasMessageStartingWith(
                "cannot read the hostfile");
    }

    @Test
    void runRefusesContradictoryOptionsInOneLine() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream old = System.err;
        int status;
        try {
            System.setErr(new PrintStream(err, true));
            status = Main.execute("run", "--hosts", "a", "--hostfile", "f", "--", "bench", "allreduce");
        } finally {
            System.setErr(old);
        }
        assertThat(status).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("ringsgd: give --hosts or --hostfile, not both"
                + System.lineSeparator());
    }

    @Test
    void remoteCommandsQuoteEveryWord() {
        String c = Launcher.remoteCommand(Map.of("A", "it's"), List.of("java", "-cp", "a b"));
        assertThat(c).endsWith("exec env 'A=it'\\''s' 'java' '-cp' 'a b'");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void underRunTrainIsOneJobOverTcpAndRefusesTheLocalTransport(@TempDir Path dir) throws Exception {
        List<String> train = List.of("train", "--model", "softmax", "--data",
                "synthetic:train=512,test=128,features=16,classes=4", "--epochs", "1", "--quiet", "--out",
                dir.toString());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int status = Launcher.builder(2).build().launch(train, new PrintStream(out, true),
                new PrintStream(new ByteArrayOutputStream(), true));
        assertThat(status).as(out.toString(StandardCharsets.UTF_8)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("(identical on every rank)");
        assertThat(Files.readString(dir.resolve("summary.json"))).contains("\"workers\": 2");

        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> local = new ArrayList<>(train);
        local.addAll(List.of("--transport", "local"));
        status = Launcher.builder(2).build().launch(local, new PrintStream(new ByteArrayOutputStream(), true),
                new PrintStream(err, true));
        assertThat(status).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("[rank 0] ringsgd: this process is rank 0 of a"
                + " job of 2 ranks").contains("drop --transport local");
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

package io.ringsgd.benchmarks.cluster;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A cluster of emulated hosts made with {@code benchmarks/bin/netcluster}, for the tests that need several hosts. */
final class EmulatedCluster implements AutoCloseable {
    static final String TOOL = new File(System.getProperty("ringsgd.netcluster", "bin/netcluster")).getAbsolutePath();

    private final String name;
    private final int hosts;

    private EmulatedCluster(String name, int hosts) {
        this.name = name;
        this.hosts = hosts;
    }

    /** Why clusters cannot be made here (not root, no namespaces, no tbf), or null if they can. */
    static String whyNot() throws Exception {
        Run r = tool(List.of("check"), 60);
        return r.status == 0 ? null : r.output.trim();
    }

    /**
     * Makes a cluster of {@code n} hosts at {@code rate}, owned by this JVM; first removes the clusters of test runs
     * that died without cleaning up.
     */
    static EmulatedCluster up(String name, int n, String rate) throws Exception {
        tool(List.of("gc"), 60);
        tool(List.of("down", name), 60);
        Run r = tool(List.of("up", name, "-n", Integer.toString(n), "--rate", rate, "--owner",
                Long.toString(ProcessHandle.current().pid())), 120);
        if (r.status != 0) {
            throw new AssertionError("netcluster up failed: " + r.output);
        }
        return new EmulatedCluster(name, n);
    }

    /** The remote shell that runs words on a host of this cluster. */
    String rsh() {
        return TOOL + " rsh " + name;
    }

    /** A hostfile naming every host, one slot each. */
    Path hostfile(Path dir) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < hosts; i++) {
            sb.append('h').append(i).append('\n');
        }
        return Files.writeString(dir.resolve("hostfile-" + name), sb.toString());
    }

    /** Takes host {@code i}'s NIC down or up. */
    void link(int i, boolean up) throws Exception {
        Run r = tool(List.of("link", name, "h" + i, up ? "up" : "down"), 30);
        if (r.status != 0) {
            throw new AssertionError("netcluster link failed: " + r.output);
        }
    }

    /** Bytes host {@code i} has sent on its NIC. */
    long txBytes(int i) throws Exception {
        Run r = run(List.of("ip", "netns", "exec", namespace(i), "cat", "/sys/class/net/eth0/statistics/tx_bytes"),
                30);
        return Long.parseLong(r.output.trim());
    }

    /** The processes running on host {@code i}. */
    List<Long> processes(int i) throws Exception {
        Run r = run(List.of("ip", "netns", "pids", namespace(i)), 30);
        List<Long> out = new ArrayList<>();
        for (String l : r.output.split("\\s+")) {
            if (!l.isBlank()) {
                out.add(Long.parseLong(l.trim()));
            }
        }
        return out;
    }

    /** Kills every process on host {@code i} with SIGKILL. */
    void killProcesses(int i) throws Exception {
        for (long p : processes(i)) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** What of this cluster is still there after {@link #close}: namespaces, cgroups, state (empty when clean). */
    String leftovers() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String l : run(List.of("ip", "netns", "list"), 30).output.split("\n")) {
            if (l.startsWith("rg-" + name + "-")) {
                sb.append("namespace ").append(l).append("; ");
            }
        }
        for (String c : new String[] {"cpu", "cpuacct", "cpuset", ""}) {
            Path d = Path.of("/sys/fs/cgroup", c, "ringsgd", name);
            if (Files.exists(d)) {
                sb.append("cgroup ").append(d).append("; ");
            }
        }
        if (Files.exists(Path.of("/run/ringsgd-netcluster", name))) {
            sb.append("state /run/ringsgd-netcluster/").append(name);
        }
        return sb.toString();
    }

    String namespace(int i) {
        return "rg-" + name + "-h" + i;
    }

    @Override
    public void close() throws Exception {
        tool(List.of("down", name), 120);
    }

    /** A finished command: its status and merged output. */
    record Run(int status, String output) {
    }

    static Run tool(List<String> args, long timeoutSeconds) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(TOOL);
        cmd.addAll(args);
        return run(cmd, timeoutSeconds);
    }

    static Run run(List<String> cmd, long timeoutSeconds) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[][] out = new byte[1][];
        Thread pump = new Thread(() -> {
            try {
                out[0] = p.getInputStream().readAllBytes();
            } catch (IOException e) {
                out[0] = new byte[0];
            }
        });
        pump.start();
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not finish in " + timeoutSeconds + " s");
        }
        pump.join(10_000);
        return new Run(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
    }
}

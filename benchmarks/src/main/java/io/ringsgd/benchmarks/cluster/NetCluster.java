package io.ringsgd.benchmarks.cluster;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A cluster of emulated hosts made by {@code benchmarks/bin/netcluster} (network namespaces with shaped links and a
 * CPU budget each), driven from Java: the cluster benchmark, the cluster experiment and the cluster tests use it.
 * {@link #close} takes the cluster down, killing whatever still runs on its hosts.
 */
public final class NetCluster implements AutoCloseable {
    private final String tool;
    private final String name;
    private final int hosts;
    private volatile String rate;
    /** Takes the cluster down when the JVM is stopped (Ctrl-C, SIGTERM) before {@link #close}. */
    private final Thread downOnExit;

    private NetCluster(String tool, String name, int hosts, String rate) {
        this.tool = tool;
        this.name = name;
        this.hosts = hosts;
        this.rate = rate;
        this.downOnExit = new Thread(() -> run(List.of(tool, "down", name), 60), "netcluster-down-" + name);
        Runtime.getRuntime().addShutdownHook(downOnExit);
    }

    /**
     * The netcluster script: the {@code ringsgd.netcluster} property or {@code RINGSGD_NETCLUSTER}; else
     * {@code benchmarks/bin/netcluster} of the source tree the ringsgd jar was built in, {@code bin/netcluster} of a
     * binary distribution, or one under the working directory.
     */
    public static String tool() {
        String p = System.getProperty("ringsgd.netcluster", System.getenv("RINGSGD_NETCLUSTER"));
        if (p != null) {
            return new File(p).getAbsolutePath();
        }
        List<File> candidates = new ArrayList<>();
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            File home = new File(e).getAbsoluteFile().getParentFile().getParentFile();
            if (e.endsWith(".jar") && home != null) {
                candidates.add(new File(home, "bin/netcluster"));
                candidates.add(new File(home.getParentFile(), "benchmarks/bin/netcluster"));
            }
        }
        for (String c : new String[] {"benchmarks/bin/netcluster", "bin/netcluster", "../benchmarks/bin/netcluster"}) {
            candidates.add(new File(c));
        }
        for (File f : candidates) {
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        throw new IllegalStateException("netcluster not found: set RINGSGD_NETCLUSTER to benchmarks/bin/netcluster");
    }

    /** Why clusters cannot be made here (not root, no namespaces, no tbf), or null if they can. */
    public static String whyNot() {
        Run r = run(List.of(tool(), "check"), 60);
        return r.status() == 0 ? null : r.output().trim().replaceFirst("^netcluster: ", "");
    }

    /**
     * Makes a cluster of {@code n} hosts whose links run at {@code rate} (e.g. 200mbit) both ways, owned by this JVM
     * ({@code netcluster gc} removes it if the JVM dies without closing it); {@code extra} are more options for
     * {@code netcluster up} (--cpus, --nics, ...). Removes leftover clusters of dead owners first.
     */
    public static NetCluster up(String name, int n, String rate, List<String> extra) {
        String tool = tool();
        run(List.of(tool, "gc"), 60);
        run(List.of(tool, "down", name), 60);
        List<String> cmd = new ArrayList<>(List.of(tool, "up", name, "-n", Integer.toString(n), "--rate", rate,
                "--owner", Long.toString(ProcessHandle.current().pid())));
        cmd.addAll(extra);
        Run r = run(cmd, 120);
        if (r.status() != 0) {
            throw new IllegalStateException("netcluster up failed: " + r.output().trim());
        }
        return new NetCluster(tool, name, n, rate);
    }

    public String name() {
        return name;
    }

    public int hosts() {
        return hosts;
    }

    /** The link rate, as given to {@code up}. */
    public String rate() {
        return rate;
    }

    /** Each host's CPU budget in CPUs, or 0 when the hosts have none. */
    public double cpuBudget() {
        try {
            for (String l : Files.readAllLines(Path.of("/run/ringsgd-netcluster", name, "config"))) {
                if (l.startsWith("CPUS=")) {
                    String v = l.substring("CPUS=".length()).trim();
                    return v.equals("none") ? 0 : Double.parseDouble(v);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // no budget known
        }
        return 0;
    }

    /** The remote shell that runs words on a host of this cluster: give it to {@code ringsgd run --rsh}. */
    public String rsh() {
        return tool + " rsh " + name;
    }

    /** The names of the first {@code n} hosts. */
    public List<String> hostNames(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add("h" + i);
        }
        return out;
    }

    /** A hostfile naming every host, one slot each, in {@code dir}. */
    public Path hostfile(Path dir) {
        try {
            return Files.writeString(dir.resolve("hostfile-" + name), String.join("\n", hostNames(hosts)) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A command that runs {@code words} on host {@code i} (for {@link ProcessBuilder}). */
    public List<String> onHost(int i, List<String> words) {
        List<String> cmd = new ArrayList<>(List.of(tool, "exec", name, "h" + i));
        cmd.addAll(words);
        return cmd;
    }

    /** Takes host {@code i}'s NIC down or up. */
    public void link(int i, boolean up) {
        check(run(List.of(tool, "link", name, "h" + i, up ? "up" : "down"), 30), "link");
    }

    /** Changes every link of the cluster to {@code newRate} (e.g. 350mbit), both directions. */
    public void rate(String newRate) {
        check(run(List.of(tool, "rate", name, newRate), 60), "rate");
        this.rate = newRate;
    }

    /** Bytes host {@code i} has sent on its NIC. */
    public long txBytes(int i) {
        Run r = run(List.of("ip", "netns", "exec", namespace(i), "cat", "/sys/class/net/eth0/statistics/tx_bytes"),
                30);
        return Long.parseLong(check(r, "tx_bytes").trim());
    }

    /** CPU seconds each host has used so far, by host name. */
    public Map<String, Double> cpuSeconds() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : check(run(List.of(tool, "cpu", name), 30), "cpu").split("\n")) {
            String[] w = line.trim().split("\\s+");
            if (w.length == 2) {
                out.put(w[0], Double.parseDouble(w[1]));
            }
        }
        return out;
    }

    /** The processes running on host {@code i}. */
    public List<Long> processes(int i) {
        List<Long> out = new ArrayList<>();
        for (String l : run(List.of("ip", "netns", "pids", namespace(i)), 30).output().split("\\s+")) {
            if (!l.isBlank()) {
                out.add(Long.parseLong(l.trim()));
            }
        }
        return out;
    }

    /** Kills every process on host {@code i} with SIGKILL. */
    public void killProcesses(int i) {
        for (long p : processes(i)) {
            ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** What of this cluster is still there: namespaces, cgroups, state (empty once it is down). */
    public String leftovers() {
        StringBuilder sb = new StringBuilder();
        for (String l : run(List.of("ip", "netns", "list"), 30).output().split("\n")) {
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

    private String namespace(int i) {
        return "rg-" + name + "-h" + i;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(downOnExit);
        } catch (IllegalStateException shuttingDown) {
            // the hook takes it down
        }
        run(List.of(tool, "down", name), 120);
    }

    /** A finished command: its status and merged output. */
    public record Run(int status, String output) {
    }

    private static String check(Run r, String what) {
        if (r.status() != 0) {
            throw new IllegalStateException("netcluster " + what + " failed: " + r.output().trim());
        }
        return r.output();
    }

    /** Runs {@code cmd} to its end (at most {@code timeoutSeconds}) and returns its status and output. */
    public static Run run(List<String> cmd, long timeoutSeconds) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[][] out = new byte[1][];
            Thread pump = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = new byte[0];
                }
            }, "netcluster-output");
            pump.setDaemon(true);
            pump.start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", cmd) + " did not finish in " + timeoutSeconds
                        + " s");
            }
            pump.join(10_000);
            return new Run(p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + cmd.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + cmd.get(0), e);
        }
    }
}

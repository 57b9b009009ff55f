package io.ringsgd.launch;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the ranks of a job, as {@code mpirun} and {@code torchrun} do: N JVMs of this command line, on this machine
 * or on the slots of a host list through a remote-shell command ({@code ssh} by default, or any command that takes
 * {@code HOST WORDS...} and runs the words there, like Open MPI's {@code plm_rsh_agent}). Each rank gets RANK,
 * WORLD_SIZE, LOCAL_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT in its environment and, on its standard input
 * ({@link LaunchControl}), a fresh job secret and, unless a master port was given, the port rank 0 picked. Output
 * lines are prefixed with the rank; when a rank fails the others are stopped and its exit status is returned; when
 * the launcher dies, even by SIGKILL, the ranks see their standard input close and stop.
 *
 * <p>Remote ranks run the same Java executable, JVM options and class path as the launcher, in the same working
 * directory if it exists there: the hosts are expected to share the installation (as with mpirun).
 */
public final class Launcher {
    /** Set in the environment of every rank a launcher starts. */
    public static final String LAUNCHED = "RINGSGD_LAUNCHED";

    /** How long the other ranks may take to report a failed rank and exit before they are stopped. */
    private static final long GRACE_NANOS = TimeUnit.SECONDS.toNanos(3);

    private final int np;
    private final List<HostList.Placement> placements;
    private final List<String> rsh;
    private final String masterAddr;
    private final int masterPort;
    private final boolean prefixRankZero;
    private final Map<String, String> extraEnv;
    private final List<String> forwardEnv;
    private final String mainClass;

    private Launcher(Builder b) {
        if (b.np < 1) {
            throw new IllegalArgumentException("-np must be at least 1, got " + b.np);
        }
        if (b.masterPort < 0 || b.masterPort > 65535) {
            throw new IllegalArgumentException("--master-port must be 0..65535, got " + b.masterPort);
        }
        this.np = b.np;
        this.placements = b.hosts == null ? null : b.hosts.place(b.np);
        this.rsh = List.copyOf(b.rsh);
        if (placements != null && rsh.isEmpty()) {
            throw new IllegalArgumentException("--rsh is empty: give the remote-shell command (default ssh)");
        }
        this.masterAddr = b.masterAddr != null ? b.masterAddr
                : placements != null ? placements.get(0).host() : "127.0.0.1";
        this.masterPort = b.masterPort;
        this.prefixRankZero = b.prefixRankZero;
        this.extraEnv = Map.copyOf(b.env);
        this.forwardEnv = List.copyOf(b.forwardEnv);
        this.mainClass = b.mainClass;
    }

    /** A launcher of {@code np} ranks on this machine. */
    public static Builder builder(int np) {
        return new Builder(np);
    }

    /** Runs {@code ringsgd <args...>} as the ranks; returns 0 if all succeed, else the first failing rank's status. */
    public int launch(List<String> args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("nothing to run: give the sub-command after --, e.g."
                    + " ringsgd run -np 4 -- bench allreduce --transport tcp");
        }
        byte[] bytes = new byte[24];
        new SecureRandom().nextBytes(bytes);
        String secret = HexFormat.of().formatHex(bytes);
        List<Process> procs = new ArrayList<>();
        List<OutputStream> controls = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread reaper = new Thread(() -> procs.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            List<String> java = javaCommand(mainClass, args);
            for (int r = 0; r < np; r++) {
                Map<String, String> env = rankEnvironment(r);
                ProcessBuilder pb;
                if (placements == null) {
                    pb = new ProcessBuilder(java);
                    pb.environment().remove("RINGSGD_SECRET");
                    pb.environment().putAll(env);
                } else {
                    List<String> cmd = new ArrayList<>(rsh);
                    cmd.add(placements.get(r).host());
                    cmd.add(remoteCommand(env, java));
                    pb = new ProcessBuilder(cmd);
                }
                Process p = pb.start();
                procs.add(p);
                OutputStream control = p.getOutputStream();
                controls.add(control);
                send(control, "secret " + secret);
                String prefix = "[rank " + r + "] ";
                pumps.add(pump(p.getInputStream(), out, r == 0 && !prefixRankZero ? "" : prefix,
                        r == 0 && masterPort == 0 ? controls : null));
                pumps.add(pump(p.getErrorStream(), err, prefix, null));
            }
            int status = awaitAll(procs, err);
            for (Thread t : pumps) {
                t.join(2000);
            }
            return status;
        } finally {
            procs.forEach(Process::destroyForcibly);
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs anyway
            }
        }
    }

    private Map<String, String> rankEnvironment(int r) {
        Map<String, String> env = new LinkedHashMap<>();
        if (placements != null) {
            // Remote ranks get what the launcher's environment says about ringsgd, as mpirun's -x would.
            System.getenv().forEach((k, v) -> {
                if ((k.startsWith("RINGSGD_") && !k.equals("RINGSGD_SECRET")) || forwardEnv.contains(k)) {
                    env.put(k, v);
                }
            });
        }
        env.putAll(extraEnv);
        env.remove("RINGSGD_SECRET");
        env.put("RANK", Integer.toString(r));
        env.put("LOCAL_RANK", Integer.toString(placements == null ? r : placements.get(r).localRank()));
        env.put("LOCAL_WORLD_SIZE", Integer.toString(placements == null ? np : placements.get(r).localSize()));
        env.put("WORLD_SIZE", Integer.toString(np));
        env.put("MASTER_ADDR", masterAddr);
        env.put("MASTER_PORT", Integer.toString(masterPort));
        env.put(LaunchControl.ENV, "stdin");
        env.put(LAUNCHED, "1");
        return env;
    }

    /** The words a remote shell runs: {@code cd DIR; exec env K=V... java ...}, every word quoted for sh. */
    static String remoteCommand(Map<String, String> env, List<String> java) {
        StringBuilder sb = new StringBuilder("cd ").append(quote(System.getProperty("user.dir")))
                .append(" 2>/dev/null; exec env");
        env.forEach((k, v) -> sb.append(' ').append(quote(k + "=" + v)));
        for (String w : java) {
            sb.append(' ').append(quote(w));
        }
        return sb.toString();
    }

    static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    private static void send(OutputStream control, String line) {
        synchronized (control) {
            try {
                control.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
                control.flush();
            } catch (IOException e) {
                // the rank is gone; awaitAll reports its status
            }
        }
    }

    private int awaitAll(List<Process> procs, PrintStream err) throws InterruptedException {
        int remaining = procs.size();
        boolean[] done = new boolean[procs.size()];
        while (remaining > 0) {
            for (int r = 0; r < procs.size(); r++) {
                Process p = procs.get(r);
                if (done[r] || !p.waitFor(20, TimeUnit.MILLISECONDS)) {
                    continue;
                }
                done[r] = true;
                remaining--;
                int code = p.exitValue();
                if (code != 0) {
                    String where = placements == null ? "" : " on " + placements.get(r).host();
                    err.println("ringsgd run: rank " + r + where + " exited with status " + code
                            + "; stopping the other ranks");
                    stopAll(procs, GRACE_NANOS);
                    return code;
                }
            }
        }
        return 0;
    }

    /**
     * Stops every rank: first lets them end by themselves for {@code graceNanos} (a rank whose peer failed reports
     * which one and exits within moments of learning it), then SIGTERM, then SIGKILL.
     */
    private static void stopAll(List<Process> procs, long graceNanos) throws InterruptedException {
        long graceEnd = System.nanoTime() + graceNanos;
        for (Process p : procs) {
            long left = graceEnd - System.nanoTime();
            if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                break;
            }
        }
        for (Process p : procs) {
            p.destroy();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        for (Process p : procs) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || !p.waitFor(left, TimeUnit.NANOSECONDS)) {
                p.destroyForcibly();
            }
        }
    }

    /** The command that starts this command line again, in a JVM configured like this one. */
    static List<String> javaCommand(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(System.getProperty("java.home") + File.separator + "bin" + File.separator + "java");
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            // Debug agents and flight recordings would collide between the ranks.
            if (!a.startsWith("-agentlib") && !a.startsWith("-javaagent") && !a.startsWith("-XX:StartFlightRecording")
                    && !a.startsWith("-Xrunjdwp")) {
                cmd.add(a);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass);
        cmd.addAll(args);
        return cmd;
    }

    /**
     * Copies a rank's output to {@code to} with {@code prefix}; with {@code controls} (rank 0's standard output
     * when it picks the port), passes its port line on to the other ranks instead of printing it.
     */
    private static Thread pump(InputStream in, PrintStream to, String prefix, List<OutputStream> controls) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("WARNING: Using incubator modules")) {
                        continue; // the JVM's note about the Vector API module every rank is started with
                    }
                    if (controls != null && line.startsWith(LaunchControl.PORT_LINE)) {
                        String port = line.substring(LaunchControl.PORT_LINE.length()).trim();
                        for (int k = 1; k < controls.size(); k++) {
                            send(controls.get(k), "master-port " + port);
                        }
                        continue;
                    }
                    synchronized (to) {
                        to.println(prefix + line);
                        to.flush();
                    }
                }
            } catch (IOException ignored) {
                // the process is gone
            }
        }, "ringsgd-run-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Options of a {@link Launcher}. */
    public static final class Builder {
        private final int np;
        private HostList hosts;
        private List<String> rsh = List.of("ssh");
        private String masterAddr;
        private int masterPort;
        private boolean prefixRankZero = true;
        private Map<String, String> env = Map.of();
        private List<String> forwardEnv = List.of();
        private String mainClass = Main.class.getName();

        private Builder(int np) {
            this.np = np;
        }

        /** Run the ranks on these hosts' slots through {@link #rsh}; default: all on this machine. */
        Builder hosts(HostList h) {
            this.hosts = h;
            return this;
        }

        /** The remote-shell command and its options, given {@code HOST WORDS...} (default {@code ssh}). */
        public Builder rsh(List<String> command) {
            this.rsh = command;
            return this;
        }

        /** Rank 0's address for the others (default: the first host, or 127.0.0.1 on this machine). */
        public Builder masterAddr(String addr) {
            this.masterAddr = addr;
            return this;
        }

        /** Rank 0's port; 0 (the default) lets rank 0 pick a free one and tell the others through the launcher. */
        public Builder masterPort(int port) {
            this.masterPort = port;
            return this;
        }

        /** False leaves rank 0's standard output unprefixed (benchmark tables). */
        public Builder prefixRankZero(boolean on) {
            this.prefixRankZero = on;
            return this;
        }

        /** Extra environment for every rank. */
        public Builder env(Map<String, String> e) {
            this.env = e;
            return this;
        }

        /** Names of launcher environment variables passed on to remote ranks (besides RINGSGD_*). */
        public Builder forwardEnv(List<String> names) {
            this.forwardEnv = names;
            return this;
        }

        /** Starts {@code main} (from this JVM's class path) instead of the ringsgd command line. */
        Builder mainClass(String main) {
            this.mainClass = main;
            return this;
        }

        public Launcher build() {
            return new Launcher(this);
        }
    }
}

package io.ringsgd.launch;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts N JVMs of this command line on this machine, one per rank, as {@code torchrun --nproc_per_node} does:
 * each gets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT and a fresh job secret (RINGSGD_SECRET) in its environment,
 * each output line is prefixed with its rank, and when a rank fails the others are stopped and its exit status is
 * returned.
 */
public final class LocalLauncher {
    /** Set in the environment of every rank this launcher starts. */
    public static final String LAUNCHED = "RINGSGD_LAUNCHED";

    private final int np;
    private final String masterAddr;
    private final int masterPort;
    private final boolean prefixRankZero;
    private final Map<String, String> extraEnv;
    private final String mainClass;

    /**
     * @param masterPort 0 picks a free port
     * @param prefixRankZero false leaves rank 0's standard output unprefixed (benchmark tables)
     */
    public LocalLauncher(int np, String masterAddr, int masterPort, boolean prefixRankZero,
            Map<String, String> extraEnv) {
        this(np, masterAddr, masterPort, prefixRankZero, extraEnv, Main.class.getName());
    }

    /** As above, starting {@code mainClass} (from this JVM's class path) instead of the command line. */
    LocalLauncher(int np, String masterAddr, int masterPort, boolean prefixRankZero, Map<String, String> extraEnv,
            String mainClass) {
        if (np < 1) {
            throw new IllegalArgumentException("-np must be at least 1, got " + np);
        }
        if (masterPort < 0 || masterPort > 65535) {
            throw new IllegalArgumentException("--master-port must be 0..65535, got " + masterPort);
        }
        this.np = np;
        this.masterAddr = masterAddr;
        this.masterPort = masterPort;
        this.prefixRankZero = prefixRankZero;
        this.extraEnv = Map.copyOf(extraEnv);
        this.mainClass = mainClass;
    }

    /** Runs {@code ringsgd <args...>} as N ranks; returns 0 if all succeed, else the first failing rank's status. */
    public int launch(List<String> args, PrintStream out, PrintStream err) throws IOException, InterruptedException {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("nothing to run: give the sub-command after --, e.g."
                    + " ringsgd run -np 4 -- bench allreduce --transport tcp");
        }
        int port = masterPort != 0 ? masterPort : freePort();
        byte[] secret = new byte[24];
        new SecureRandom().nextBytes(secret);
        String hexSecret = HexFormat.of().formatHex(secret);
        List<Process> procs = new ArrayList<>();
        List<Thread> pumps = new ArrayList<>();
        Thread reaper = new Thread(() -> procs.forEach(Process::destroyForcibly));
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            for (int r = 0; r < np; r++) {
                ProcessBuilder pb = new ProcessBuilder(command(mainClass, args));
                Map<String, String> env = pb.environment();
                env.putAll(extraEnv);
                env.put("RANK", Integer.toString(r));
                env.put("LOCAL_RANK", Integer.toString(r));
                env.put("WORLD_SIZE", Integer.toString(np));
                env.put("MASTER_ADDR", masterAddr);
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("RINGSGD_SECRET", hexSecret);
                env.put(LAUNCHED, "1");
                Process p = pb.start();
                procs.add(p);
                String prefix = "[rank " + r + "] ";
                pumps.add(pump(p.getInputStream(), out, r == 0 && !prefixRankZero ? "" : prefix));
                pumps.add(pump(p.getErrorStream(), err, prefix));
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

    private static int awaitAll(List<Process> procs, PrintStream err) throws InterruptedException {
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
                    err.println("ringsgd run: rank " + r + " exited with status " + code
                            + "; stopping the other ranks");
                    stopAll(procs);
                    return code;
                }
            }
        }
        return 0;
    }

    private static void stopAll(List<Process> procs) throws InterruptedException {
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
    static List<String> command(String mainClass, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
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

    static String javaExecutable() {
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    private static Thread pump(InputStream in, PrintStream to, String prefix) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith("WARNING: Using incubator modules")) {
                        continue; // the JVM's note about the Vector API module every rank is started with
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
}

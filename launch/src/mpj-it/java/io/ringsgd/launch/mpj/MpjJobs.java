package io.ringsgd.launch.mpj;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Starts real MPJ Express jobs through launch/bin/ringsgd-mpjrun, and MPJ daemons, for the integration tests. */
final class MpjJobs {
    static final String MPJRUN = System.getProperty("ringsgd.mpjrun", "bin/ringsgd-mpjrun");
    static final String JAR = System.getProperty("ringsgd.jar", "target/ringsgd.jar");

    private MpjJobs() {
    }

    /** A finished job: exit status and merged output. */
    record Result(int status, String output) {
    }

    static ProcessBuilder builder(List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(MPJRUN);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("RINGSGD_JAR", new File(JAR).getAbsolutePath());
        pb.environment().put("RINGSGD_JAVA_OPTS", "-Xmx384m -Dringsgd.timeout=5s");
        return pb;
    }

    /**
     * A niodev job of {@code np} ranks running {@code mainClass} from the test classes (besides the ringsgd jar) with
     * {@code args}, through the starter of MPJ Express directly (ringsgd-mpjrun only runs the ringsgd command).
     */
    static ProcessBuilder mainBuilder(Daemon d, int np, String mainClass, List<String> args) throws Exception {
        String home = mpjHome();
        Path machines = Files.createTempFile("mpj-machines", ".txt");
        Files.writeString(machines, "localhost\n");
        String cp = home + "/lib/mpj.jar" + File.pathSeparator + new File(JAR).getAbsolutePath() + File.pathSeparator
                + new File(System.getProperty("ringsgd.test.classes", "target/test-classes")).getAbsolutePath();
        List<String> cmd = new ArrayList<>(List.of(System.getProperty("java.home") + "/bin/java", "-jar",
                home + "/lib/starter.jar", "-np", Integer.toString(np), "-dev", "niodev", "-machinesfile",
                machines.toString(), "-dport", Integer.toString(d.port), "-Xmx256m", "-cp", cp, mainClass));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MPJ_HOME", home);
        return pb;
    }

    static Result run(List<String> args, long timeoutSeconds) throws Exception {
        return run(builder(args), args, timeoutSeconds);
    }

    static Result run(ProcessBuilder pb, Object what, long timeoutSeconds) throws Exception {
        Process p = pb.start();
        Path out = Files.createTempFile("mpj-job", ".out");
        Thread pump = pumpTo(p, out);
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            pump.join(5000);
            throw new AssertionError("MPJ job did not finish in " + timeoutSeconds + " s: " + what + "\n"
                    + Files.readString(out));
        }
        pump.join(5000);
        return new Result(p.exitValue(), Files.readString(out));
    }

    static Thread pumpTo(Process p, Path out) {
        Thread t = new Thread(() -> {
            // Copied as it comes, so that tests can wait for a line while the job runs.
            try (java.io.OutputStream o = Files.newOutputStream(out)) {
                p.getInputStream().transferTo(o);
            } catch (IOException ignored) {
                // the job's output is best effort
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    static String mpjHome() throws Exception {
        Process p = new ProcessBuilder(MPJRUN, "--print-mpj-home").redirectErrorStream(false).start();
        String home = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (p.waitFor() != 0 || home.isEmpty()) {
            throw new AssertionError("ringsgd-mpjrun --print-mpj-home failed");
        }
        return home;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** An MPJ daemon on a free port, stopped by {@link Daemon#close()}. */
    static final class Daemon implements AutoCloseable {
        final int port;
        final Process process;

        Daemon() throws Exception {
            String home = mpjHome();
            port = freePort();
            Path dir = Files.createTempDirectory("mpj-daemon");
            ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-jar",
                    home + "/lib/daemon.jar", Integer.toString(port)).directory(dir.toFile())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
            pb.environment().put("MPJ_HOME", home);
            process = pb.start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                try (Socket s = new Socket()) {
                    s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive()) {
                        throw new AssertionError("MPJ daemon exited: " + Files.readString(dir.resolve("daemon.log")));
                    }
                    Thread.sleep(100);
                }
            }
            close();
            throw new AssertionError("MPJ daemon did not listen on port " + port);
        }

        @Override
        public void close() {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}

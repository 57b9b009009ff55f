package io.ringsgd.launch;

import io.ringsgd.collectives.CollectiveException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A rank's side of the channel {@link Launcher} keeps with every rank it starts: the rank's standard input. The
 * launcher writes the job secret as the first line (so it never appears in a process's environment or command line,
 * which other users of a host can read) and, when rank 0 picked the rendezvous port itself, that port; and it keeps
 * the pipe open for the life of the job. When the pipe closes, the launcher is gone (killed, or its ssh session
 * dropped): the rank stops at once instead of running on as an orphan. Rank 0 tells the launcher its port by one line
 * on standard output that the launcher consumes.
 */
final class LaunchControl {
    /** Environment variable that says the launcher speaks this protocol on standard input. */
    static final String ENV = "RINGSGD_CONTROL";
    /** Rank 0's line to the launcher; never shown to the user. */
    static final String PORT_LINE = "#ringsgd-launch master-port ";
    /** Exit status of a rank whose launcher is gone. */
    static final int LAUNCHER_GONE = 4;

    private static LaunchControl current;

    private final String secret;
    private final CompletableFuture<Integer> masterPort = new CompletableFuture<>();

    private LaunchControl(String secret) {
        this.secret = secret;
    }

    /**
     * Starts listening to the launcher if this process was started by one (environment {@value #ENV}=stdin): reads
     * the secret, then watches the pipe on a daemon thread. Returns null for a process started otherwise.
     */
    static synchronized LaunchControl start(Map<String, String> env, InputStream in, PrintStream err) {
        if (current != null || !"stdin".equals(env.get(ENV))) {
            return current;
        }
        BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
        String first;
        try {
            first = r.readLine();
        } catch (IOException e) {
            first = null;
        }
        if (first == null || !first.startsWith("secret ")) {
            launcherGone(env, err, first == null ? "its pipe closed before the job secret came" : "it sent '"
                    + first + "' instead of the job secret");
            return null;
        }
        LaunchControl c = new LaunchControl(first.substring("secret ".length()).trim());
        Thread watcher = new Thread(() -> c.watch(r, env, err), "ringsgd-launch-control");
        watcher.setDaemon(true);
        watcher.start();
        current = c;
        return c;
    }

    /** The control channel of this process, or null if no launcher started it with one. */
    static synchronized LaunchControl current() {
        return current;
    }

    /** The job secret (hex), as the launcher sent it. */
    String secret() {
        return secret;
    }

    /** Rank 0: tells the launcher the port it listens on, so it can pass it to the other ranks. */
    void announceMasterPort(int port) {
        synchronized (System.out) {
            System.out.println(PORT_LINE + port);
            System.out.flush();
        }
    }

    /** Ranks other than 0: the port rank 0 announced, waiting at most {@code timeout}. */
    int awaitMasterPort(Duration timeout) {
        try {
            return masterPort.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new CollectiveException("rank 0 did not announce its rendezvous port within "
                    + timeout.toSeconds() + " s: did it start? (see its output)", e);
        } catch (ExecutionException e) {
            throw new CollectiveException(e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while waiting for rank 0's rendezvous port", e);
        }
    }

    private void watch(BufferedReader r, Map<String, String> env, PrintStream err) {
        try {
            String line;
            while ((line = r.readLine()) != null) {
                if (line.startsWith("master-port ")) {
                    masterPort.complete(Integer.parseInt(line.substring("master-port ".length()).trim()));
                }
            }
        } catch (IOException | NumberFormatException e) {
            // a broken pipe means the same as its end
        }
        launcherGone(env, err, "its pipe closed");
    }

    /** Ends this process: the launcher that started it is gone, so nobody would collect its output or stop it. */
    private static void launcherGone(Map<String, String> env, PrintStream err, String how) {
        err.println("ringsgd: rank " + env.getOrDefault("RANK", "?") + " stops: the launcher that started it is gone ("
                + how + ")");
        err.flush();
        // Shutdown hooks remove socket files; if one of them hangs, halt.
        Thread halt = new Thread(() -> {
            try {
                Thread.sleep(5000);
            } catch (InterruptedException ignored) {
                // exiting anyway
            }
            Runtime.getRuntime().halt(LAUNCHER_GONE);
        }, "ringsgd-launch-halt");
        halt.setDaemon(true);
        halt.start();
        System.exit(LAUNCHER_GONE);
    }
}

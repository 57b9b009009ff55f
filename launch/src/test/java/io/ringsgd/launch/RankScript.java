package io.ringsgd.launch;

/**
 * A stand-in rank for launcher tests: reads the launcher's control channel, prints a line (with its pid, local rank
 * and whether a secret came), then exits with status {@code args[1]} if its RANK equals {@code args[0]}, or sleeps
 * (to be stopped by the launcher) or exits 0 otherwise.
 */
public final class RankScript {
    private RankScript() {
    }

    public static void main(String[] args) throws InterruptedException {
        LaunchControl control = LaunchControl.start(System.getenv(), System.in, System.err);
        int rank = Integer.parseInt(System.getenv("RANK"));
        System.out.println("hello from rank " + rank + " of " + System.getenv("WORLD_SIZE") + " local "
                + System.getenv("LOCAL_RANK") + "/" + System.getenv("LOCAL_WORLD_SIZE") + " secret="
                + (control != null && control.secret().length() == 48) + " envsecret="
                + (System.getenv("RINGSGD_SECRET") != null) + " pid=" + ProcessHandle.current().pid());
        System.err.println("stderr of rank " + rank);
        int failing = Integer.parseInt(args[0]);
        if (rank == failing) {
            System.exit(Integer.parseInt(args[1]));
        }
        if (failing >= 0) {
            Thread.sleep(120_000);
        }
    }
}

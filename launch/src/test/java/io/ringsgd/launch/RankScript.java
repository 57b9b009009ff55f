package io.ringsgd.launch;

/**
 * A stand-in rank for launcher tests: prints a line, then exits with status {@code args[1]} if its RANK equals
 * {@code args[0]}, or sleeps (to be stopped by the launcher) or exits 0 otherwise.
 */
public final class RankScript {
    private RankScript() {
    }

    public static void main(String[] args) throws InterruptedException {
        int rank = Integer.parseInt(System.getenv("RANK"));
        System.out.println("hello from rank " + rank + " of " + System.getenv("WORLD_SIZE") + " secret="
                + (System.getenv("RINGSGD_SECRET") != null));
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

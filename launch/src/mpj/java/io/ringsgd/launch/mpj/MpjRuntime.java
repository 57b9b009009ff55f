package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;
import mpi.MPI;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The MPJ Express entry points the command line reaches by reflection (this package is compiled only when MPJ
 * Express is installed): {@code MPI.Init} with the arguments {@code mpjrun} passed, a communicator over
 * {@code MPI.COMM_WORLD}, and {@code MPI.Finalize}.
 */
public final class MpjRuntime {
    private static final Logger log = LoggerFactory.getLogger(MpjRuntime.class);
    private MpjRuntime() {
    }

    /**
     * Initializes MPJ Express; returns the application's own arguments. MPJ's {@code MPI.Init} waits without a
     * limit for every rank of the job to start (a rank whose daemon never started it leaves the others waiting for
     * ever), so a watchdog ends this process with a one-line error if it has not returned within
     * {@code RINGSGD_MPJ_INIT_TIMEOUT} seconds (default 120).
     */
    public static String[] init(String[] args) {
        long seconds = initTimeoutSeconds();
        String who = args.length > 0 && args[0].matches("\\d+") ? "rank " + args[0] : "a rank";
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
        Thread watchdog = new Thread(() -> {
            try {
                if (!done.await(seconds, java.util.concurrent.TimeUnit.SECONDS)) {
                    System.err.println("ringsgd: " + who + ": MPJ Express did not finish MPI.Init within " + seconds
                            + " s: another rank of the job did not start or cannot be reached (check that every"
                            + " host of the machines file runs an MPJ daemon, e.g. ringsgd-mpjrun --start-daemons,"
                            + " and that the hosts reach each other; RINGSGD_MPJ_INIT_TIMEOUT waits longer)");
                    System.err.flush();
                    Runtime.getRuntime().halt(1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "ringsgd-mpj-init-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        try {
            return MPI.Init(args);
        } finally {
            done.countDown();
        }
    }

    private static long initTimeoutSeconds() {
        String v = System.getenv("RINGSGD_MPJ_INIT_TIMEOUT");
        if (v == null || v.isBlank()) {
            return 120;
        }
        try {
            long s = Long.parseLong(v.trim());
            if (s > 0) {
                return s;
            }
        } catch (NumberFormatException e) {
            // falls through to the error below
        }
        throw new IllegalArgumentException("RINGSGD_MPJ_INIT_TIMEOUT must be a positive number of seconds, got '"
                + v + "'");
    }

    /** A communicator over {@code MPI.COMM_WORLD} running ringsgd's algorithms on MPJ point-to-point messages. */
    public static Communicator communicator(CommunicatorConfig config) {
        if (!MPI.Initialized()) {
            throw new IllegalArgumentException("MPJ Express is not initialized: start ringsgd with"
                    + " launch/bin/ringsgd-mpjrun");
        }
        MpjTransport t;
        try {
            t = new MpjTransport(MPI.COMM_WORLD, config.timeout(), config.spin());
            // Every rank has its side channel once all are past this point.
            MPI.COMM_WORLD.Barrier();
        } catch (RuntimeException e) {
            if (e instanceof CollectiveException) {
                throw e;
            }
            throw new CollectiveException("rank " + MPI.COMM_WORLD.Rank() + " could not set up the MPJ Express job:"
                    + " a rank failed or exited during setup (MPJ Express says: " + e.getMessage() + ")", e);
        }
        if (t.rank() == 0) {
            log.info("rank 0: {} ranks joined over MPJ Express", t.size());
        }
        return new TransportCommunicator(config.wrap(t), config);
    }

    /** Number of ranks of the job. */
    public static int size() {
        return MPI.COMM_WORLD.Size();
    }

    /** This process's rank. */
    public static int rank() {
        return MPI.COMM_WORLD.Rank();
    }

    /** Shuts MPJ Express down. */
    public static void finish() {
        MPI.Finalize();
    }
}

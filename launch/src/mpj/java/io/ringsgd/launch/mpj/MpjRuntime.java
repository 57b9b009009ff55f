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

    /** Initializes MPJ Express; returns the application's own arguments. */
    public static String[] init(String[] args) {
        return MPI.Init(args);
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

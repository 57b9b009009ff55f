package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;
import mpi.MPI;

/**
 * The MPJ Express entry points the command line reaches by reflection (this package is compiled only when MPJ
 * Express is installed): {@code MPI.Init} with the arguments {@code mpjrun} passed, a communicator over
 * {@code MPI.COMM_WORLD}, and {@code MPI.Finalize}.
 */
public final class MpjRuntime {
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
        MpjTransport t = new MpjTransport(MPI.COMM_WORLD, config.timeout(), config.spin());
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

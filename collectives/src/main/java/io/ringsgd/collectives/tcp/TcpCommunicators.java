package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;

/** Communicators over TCP: one process (or thread) per rank, found by rendezvous at rank 0. */
public final class TcpCommunicators {
    private TcpCommunicators() {
    }

    /** Joins the group described by {@code options}; blocks until every rank is connected. */
    public static Communicator connect(TcpOptions options, CommunicatorConfig config) {
        try (TcpRendezvous rv = TcpRendezvous.open(options)) {
            return new TransportCommunicator(config.wrap(rv.connect(config)), config);
        }
    }

    /**
     * Joins the group described by the environment ({@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR},
     * {@code MASTER_PORT}, {@code RINGSGD_SECRET}), as a rank started by {@code ringsgd run} or torchrun-style
     * schedulers, with the configuration from {@code ringsgd.*} properties.
     */
    public static Communicator fromEnvironment() {
        return connect(TcpOptions.fromEnvironment(), CommunicatorConfig.fromSystemProperties());
    }
}

package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;
import java.util.function.IntConsumer;

/** Communicators over TCP: one process (or thread) per rank, found by rendezvous at rank 0. */
public final class TcpCommunicators {
    private TcpCommunicators() {
    }

    /** Joins the group described by {@code options}; blocks until every rank is connected. */
    public static Communicator connect(TcpOptions options, CommunicatorConfig config) {
        return connect(options, config, port -> { });
    }

    /**
     * As {@link #connect(TcpOptions, CommunicatorConfig)}, and calls {@code listening} with the port this rank
     * listens on before it waits for the others: a launcher that let rank 0 bind port 0 passes it on from there.
     */
    public static Communicator connect(TcpOptions options, CommunicatorConfig config, IntConsumer listening) {
        try (TcpRendezvous rv = TcpRendezvous.open(options)) {
            listening.accept(rv.port());
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

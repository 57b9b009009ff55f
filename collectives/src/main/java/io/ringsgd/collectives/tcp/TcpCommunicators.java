package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.IntConsumer;

/**
 * Communicators over TCP: one process (or thread) per rank, found by rendezvous at rank 0. Thread-safe: each call
 * makes its own connections.
 */
public final class TcpCommunicators {
    private TcpCommunicators() {
    }

    /**
     * Joins the group described by {@code options}; blocks until every rank is connected (or the setup timeout).
     *
     * @throws CollectiveException if the group cannot be formed (a rank never came, the secret was refused)
     */
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
     * schedulers, with the configuration from {@code ringsgd.*} properties. Blocks like {@link #connect}.
     */
    public static Communicator fromEnvironment() {
        return connect(TcpOptions.fromEnvironment(), CommunicatorConfig.fromSystemProperties());
    }

    /**
     * {@code n} ranks of one group over real sockets of this machine (127.0.0.1, rank 0 listening on a free port, a
     * fresh random secret), connected from threads of this JVM: for tests and benchmarks that want the TCP transport
     * without processes. Blocks until all are connected; returns them in rank order, each to be driven by a thread of
     * its own. With {@code sameMachine} the ranks, all on one machine, move their data through shared memory (and
     * their connections are Unix-domain sockets), else through TCP loopback.
     *
     * @throws CollectiveException if the group cannot be formed
     */
    public static List<Communicator> loopback(int n, CommunicatorConfig config, boolean sameMachine) {
        return loopback(n, config, sameMachine, sameMachine);
    }

    /**
     * As {@link #loopback(int, CommunicatorConfig, boolean)}, choosing Unix-domain sockets and shared memory apart
     * ({@link TcpOptions#unixSockets()}, {@link TcpOptions#sharedMemory()}).
     */
    public static List<Communicator> loopback(int n, CommunicatorConfig config, boolean unixSockets,
            boolean sharedMemory) {
        if (n < 1) {
            throw new IllegalArgumentException("a group needs at least 1 rank, got " + n);
        }
        byte[] key = new byte[16];
        new SecureRandom().nextBytes(key);
        String secret = HexFormat.of().formatHex(key);
        TcpRendezvous master = TcpRendezvous.open(loopbackOptions(0, n, 0, secret).unixSockets(unixSockets)
                .sharedMemory(sharedMemory).build());
        List<CompletableFuture<Communicator>> joining = new ArrayList<>(n);
        for (int r = 0; r < n; r++) {
            int rank = r;
            CompletableFuture<Communicator> f = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    f.complete(rank == 0 ? new TransportCommunicator(config.wrap(master.connect(config)), config)
                            : connect(loopbackOptions(rank, n, master.port(), secret).unixSockets(unixSockets)
                                    .sharedMemory(sharedMemory)
                                    .build(), config));
                } catch (RuntimeException | Error e) {
                    f.completeExceptionally(e);
                }
            }, "ringsgd-loopback-connect-r" + r);
            t.setDaemon(true);
            t.start();
            joining.add(f);
        }
        List<Communicator> comms = new ArrayList<>(n);
        RuntimeException failed = null;
        for (CompletableFuture<Communicator> f : joining) {
            try {
                comms.add(f.get());
            } catch (ExecutionException e) {
                failed = failed != null ? failed : e.getCause() instanceof RuntimeException
                        ? (RuntimeException) e.getCause()
                        : new CollectiveException("a loopback rank could not connect: " + e.getCause(), e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                failed = new CollectiveException("interrupted while the loopback ranks connected", e);
                break;
            }
        }
        master.close();
        if (failed != null) {
            comms.forEach(Communicator::close);
            throw failed;
        }
        return comms;
    }

    /** Options of rank {@code rank} of {@code n} on 127.0.0.1, rank 0 at {@code port} (0: rank 0 picks one). */
    public static TcpOptions.Builder loopbackOptions(int rank, int n, int port, String secret) {
        return TcpOptions.builder().rank(rank).worldSize(n).master("127.0.0.1", port).bindHost("127.0.0.1")
                .secret(secret);
    }
}

package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.tcp.TcpOptions;
import io.ringsgd.collectives.tcp.TcpRendezvous;
import java.util.List;
import java.util.function.Function;

/** Runs n TCP ranks as threads of this JVM over 127.0.0.1 (rank 0 binds port 0). */
public final class TcpGroup {
    private TcpGroup() {
    }

    public static TcpOptions.Builder options(int rank, int n, int port, String secret) {
        return TcpOptions.builder().rank(rank).worldSize(n).master("127.0.0.1", port).bindHost("127.0.0.1")
                .secret(secret);
    }

    /** Each rank's result (or its exception, as the element) in rank order; same-machine Unix sockets on. */
    public static List<Object> runCatching(int n, CommunicatorConfig cfg, Function<Communicator, ?> body) {
        return runCatching(n, cfg, true, body);
    }

    /** As above; with {@code unix} false every connection is TCP loopback. */
    public static List<Object> runCatching(int n, CommunicatorConfig cfg, boolean unix,
            Function<Communicator, ?> body) {
        String secret = "test-secret";
        TcpRendezvous master = TcpRendezvous.open(options(0, n, 0, secret).unixSockets(unix).build());
        int port = master.port();
        return RankThreads.runCatching(n, rank -> () -> {
            TcpRendezvous rv = rank == 0 ? master : TcpRendezvous.open(options(rank, n, port, secret)
                    .unixSockets(unix).build());
            try (Communicator c = new TransportCommunicator(rv.connect(cfg), cfg)) {
                return body.apply(c);
            }
        });
    }

    /** Each rank's result in rank order; rethrows the first failure. */
    public static <T> List<T> run(int n, CommunicatorConfig cfg, Function<Communicator, T> body) {
        return run(n, cfg, true, body);
    }

    /** As above; with {@code unix} false every connection is TCP loopback. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> run(int n, CommunicatorConfig cfg, boolean unix, Function<Communicator, T> body) {
        List<Object> all = runCatching(n, cfg, unix, body);
        for (Object o : all) {
            if (o instanceof RuntimeException) {
                throw (RuntimeException) o;
            }
            if (o instanceof Throwable) {
                throw new CollectiveException("rank failed: " + o, (Throwable) o);
            }
        }
        return (List<T>) all;
    }
}

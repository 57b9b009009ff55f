package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.tcp.TcpCommunicators;
import io.ringsgd.collectives.tcp.TcpOptions;
import java.util.List;
import java.util.function.Function;

/** Runs n TCP ranks as threads of this JVM over 127.0.0.1 ({@link TcpCommunicators#loopback}). */
public final class TcpGroup {
    private TcpGroup() {
    }

    /** Options of one loopback rank, for tests that run their own rendezvous. */
    public static TcpOptions.Builder options(int rank, int n, int port, String secret) {
        return TcpCommunicators.loopbackOptions(rank, n, port, secret);
    }

    /** Each rank's result (or its exception, as the element) in rank order; same-machine Unix sockets on. */
    public static List<Object> runCatching(int n, CommunicatorConfig cfg, Function<Communicator, ?> body) {
        return runCatching(n, cfg, true, body);
    }

    /** As above; with {@code unix} false every connection is TCP loopback (and no shared memory). */
    public static List<Object> runCatching(int n, CommunicatorConfig cfg, boolean unix,
            Function<Communicator, ?> body) {
        return runCatching(n, cfg, unix, unix, body);
    }

    /** As above, choosing Unix-domain sockets and shared memory apart. */
    public static List<Object> runCatching(int n, CommunicatorConfig cfg, boolean unix, boolean shm,
            Function<Communicator, ?> body) {
        List<Communicator> comms = TcpCommunicators.loopback(n, cfg, unix, shm);
        return RankThreads.runCatching(n, rank -> () -> {
            try (Communicator c = comms.get(rank)) {
                return body.apply(c);
            }
        });
    }

    /** Each rank's result in rank order; rethrows the first failure. */
    public static <T> List<T> run(int n, CommunicatorConfig cfg, Function<Communicator, T> body) {
        return run(n, cfg, true, body);
    }

    /** As above; with {@code unix} false every connection is TCP loopback. */
    public static <T> List<T> run(int n, CommunicatorConfig cfg, boolean unix, Function<Communicator, T> body) {
        return run(n, cfg, unix, unix, body);
    }

    /** As above, choosing Unix-domain sockets and shared memory apart. */
    @SuppressWarnings("unchecked")
    public static <T> List<T> run(int n, CommunicatorConfig cfg, boolean unix, boolean shm,
            Function<Communicator, T> body) {
        List<Object> all = runCatching(n, cfg, unix, shm, body);
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

package io.ringsgd.collectives;

import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.local.LocalGroup;
import io.ringsgd.collectives.local.LocalTransport;
import io.ringsgd.collectives.transport.Transport;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/** Factories of communicators. TCP communicators come from {@link io.ringsgd.collectives.tcp.TcpCommunicators}. */
public final class Communicators {
    private Communicators() {
    }

    /** {@code n} communicators of one in-JVM group, one per rank, to be used by {@code n} threads. */
    public static List<Communicator> local(int n) {
        return local(n, CommunicatorConfig.fromSystemProperties());
    }

    /** {@code n} communicators of one in-JVM group with {@code config}. */
    public static List<Communicator> local(int n, CommunicatorConfig config) {
        List<Communicator> out = new ArrayList<>(n);
        for (LocalTransport t : LocalGroup.create(n, config.timeout(), config.spin().toNanos())) {
            out.add(new TransportCommunicator(config.wrap(t), config));
        }
        return out;
    }

    /** A communicator over any transport. */
    public static Communicator over(Transport transport, CommunicatorConfig config) {
        return new TransportCommunicator(config.wrap(transport), config);
    }

    /**
     * Runs {@code body} on {@code n} threads, each with its own rank of a fresh in-JVM group, and returns the results
     * in rank order; the communicators are closed afterwards. If a rank throws, the others are failed too (they
     * would otherwise wait for it) and the first failure is rethrown.
     */
    public static <T> List<T> runLocal(int n, CommunicatorConfig config, Function<Communicator, T> body) {
        List<Communicator> comms = local(n, config);
        AtomicInteger started = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(n, r -> {
            Thread th = new Thread(r, "ringsgd-rank-" + started.getAndIncrement());
            th.setDaemon(true);
            return th;
        });
        try {
            List<Future<T>> futures = new ArrayList<>(n);
            for (Communicator c : comms) {
                futures.add(pool.submit(() -> {
                    try (Communicator comm = c) {
                        return body.apply(comm);
                    } catch (RuntimeException | Error e) {
                        if (!(e instanceof CollectiveException)) {
                            ((TransportCommunicator) c).transport().abort(new PeerFailureException(c.rank(), "rank "
                                    + c.rank() + " failed: " + e, e));
                        }
                        throw e;
                    }
                }));
            }
            List<T> results = new ArrayList<>(n);
            RuntimeException first = null;
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    if (first == null) {
                        first = c instanceof RuntimeException ? (RuntimeException) c
                                : new CollectiveException("rank failed: " + c, c);
                    }
                    results.add(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CollectiveException("interrupted while waiting for the ranks", e);
                }
            }
            if (first != null) {
                throw first;
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** {@link #runLocal(int, CommunicatorConfig, Function)} with the configuration from system properties. */
    public static <T> List<T> runLocal(int n, Function<Communicator, T> body) {
        return runLocal(n, CommunicatorConfig.fromSystemProperties(), body);
    }
}

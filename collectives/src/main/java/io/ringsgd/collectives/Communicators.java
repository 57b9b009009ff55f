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

/**
 * Factories of communicators: in-JVM groups (ranks as threads of one JVM, messages handed over by reference) and
 * communicators over any {@link Transport}. TCP communicators come from
 * {@link io.ringsgd.collectives.tcp.TcpCommunicators}. Thread-safe: every call makes a new group.
 */
public final class Communicators {
    private Communicators() {
    }

    /**
     * {@code n} communicators of one in-JVM group, one per rank (in rank order), each to be driven by a thread of its
     * own; the configuration comes from the {@code ringsgd.*} system properties. Returns at once; close each when
     * done.
     *
     * @throws IllegalArgumentException if {@code n} &lt; 1
     */
    public static List<Communicator> local(int n) {
        return local(n, CommunicatorConfig.fromSystemProperties());
    }

    /** {@code n} communicators of one in-JVM group with {@code config}: as {@link #local(int)}. */
    public static List<Communicator> local(int n, CommunicatorConfig config) {
        List<Communicator> out = new ArrayList<>(n);
        for (LocalTransport t : LocalGroup.create(n, config.timeout(), config.spin().toNanos())) {
            out.add(new TransportCommunicator(config.wrap(t), config));
        }
        return out;
    }

    /**
     * A communicator over any transport (MPJ Express's, a transport of your own), wrapped in the emulated link if
     * {@code config} has one. The communicator owns the transport from then on and closes it.
     */
    public static Communicator over(Transport transport, CommunicatorConfig config) {
        return new TransportCommunicator(config.wrap(transport), config);
    }

    /**
     * Runs {@code body} on {@code n} threads, each with its own rank of a fresh in-JVM group, and returns the results
     * in rank order; the communicators are closed afterwards. Blocks until every rank has returned or failed.
     *
     * <p>If a rank's own code throws, the group is failed at once so the other ranks do not wait for it: they get a
     * {@link PeerFailureException} naming that rank, with its exception as the cause. This method then throws the
     * exception that started it all (that rank's own, rather than the others' consequences), or else the first rank's
     * failure.
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
                futures.add(pool.submit(() -> runRank(c, body)));
            }
            List<T> results = new ArrayList<>(n);
            Throwable first = null;
            Throwable own = null;
            for (Future<T> f : futures) {
                try {
                    results.add(f.get());
                } catch (ExecutionException e) {
                    Throwable c = e.getCause();
                    first = first == null ? c : first;
                    own = own == null && !(c instanceof CollectiveException) ? c : own;
                    results.add(null);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CollectiveException("interrupted while waiting for the ranks", e);
                }
            }
            Throwable thrown = own != null ? own : first;
            if (thrown instanceof RuntimeException) {
                throw (RuntimeException) thrown;
            }
            if (thrown instanceof Error) {
                throw (Error) thrown;
            }
            if (thrown != null) {
                throw new CollectiveException("rank failed: " + thrown, thrown);
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    /** One rank: fails the group with the rank's own exception before its communicator closes (and says goodbye). */
    private static <T> T runRank(Communicator c, Function<Communicator, T> body) {
        try {
            return body.apply(c);
        } catch (RuntimeException | Error e) {
            if (!(e instanceof CollectiveException)) {
                ((TransportCommunicator) c).transport().abort(new PeerFailureException(c.rank(), "rank " + c.rank()
                        + " failed: " + e, e));
            }
            throw e;
        } finally {
            c.close();
        }
    }

    /** {@link #runLocal(int, CommunicatorConfig, Function)} with the configuration from system properties. */
    public static <T> List<T> runLocal(int n, Function<Communicator, T> body) {
        return runLocal(n, CommunicatorConfig.fromSystemProperties(), body);
    }
}

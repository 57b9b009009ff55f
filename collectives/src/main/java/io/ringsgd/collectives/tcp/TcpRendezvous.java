package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.CollectiveException;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.PeerFailureException;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How TCP ranks find each other, as torchrun's static rendezvous: every rank opens a listener (rank 0's is
 * MASTER_ADDR:MASTER_PORT), registers its listener's address with rank 0, receives the table of all addresses, and
 * connects a data and a control connection to every lower rank. Every connection first proves it knows the job
 * secret ({@link Handshake}); one that does not, or that sends anything else (random bytes, a truncated hello, a
 * second process claiming a rank already taken), is refused and logged, and the rendezvous goes on.
 *
 * <p>Ranks on the same machine (the same kernel boot id and network namespace: see {@link HostIdentity}) connect
 * through Unix-domain sockets instead when {@link TcpOptions#unixSockets()} allows it: each rank also listens on a
 * socket file in a private temporary directory, registers its path, and a peer that finds the same key dials it,
 * falling back to TCP if the file is out of its reach (another container, another user). The frames, the handshake and the failure semantics are the same.
 * Such ranks then also move their data through shared memory when {@link TcpOptions#sharedMemory()} allows it
 * ({@link ShmSetup}): the connections stay, for aborts, deaths and wake-ups.
 *
 * <p>Usage: {@code TcpRendezvous.open(options)} binds the listener (so a test can bind port 0 and read
 * {@link #port()}), then {@link #connect(CommunicatorConfig)} blocks until the mesh is complete.
 */
public final class TcpRendezvous implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TcpRendezvous.class);
    /** Handshakes in progress beyond those the job's own connections need (4 per rank). */
    static final int MAX_PENDING_HANDSHAKES = 32;

    private final TcpOptions options;
    private final int rank;
    private final int size;
    private final ServerSocketChannel listener;
    /** This machine's boot id and network namespace, or "" where Unix-domain sockets are off or unavailable. */
    private final String hostKey;
    private final ServerSocketChannel unixListener;
    private final Path unixPath;
    private final ScheduledExecutorService watchdog;
    private final SocketChannel[] data;
    private final SocketChannel[] control;
    private final Registration[] registrations;
    private final List<SocketChannel> pending = new ArrayList<>();
    /** Handshakes in progress at once: a client that opens connections and sends nothing holds one each. */
    private final Semaphore handshakes;
    private final RefusalLog refusals = new RefusalLog(log);
    private Thread acceptor;
    private Thread unixAcceptor;
    private volatile boolean closed;

    /**
     * A rank's registration with rank 0: its listener's address, its machine's boot id and Unix-domain socket path
     * ("" for none), and the connection to answer on.
     */
    private record Registration(String host, int port, String hostKey, String unixPath, boolean shm,
            SocketChannel channel, DataOutputStream out) {
    }

    private TcpRendezvous(TcpOptions options) throws IOException {
        this.options = options;
        this.rank = options.rank();
        this.size = options.worldSize();
        this.data = new SocketChannel[size];
        this.control = new SocketChannel[size];
        this.registrations = new Registration[size];
        this.handshakes = new Semaphore(MAX_PENDING_HANDSHAKES + 4 * size);
        this.listener = ServerSocketChannel.open();
        listener.setOption(StandardSocketOptions.SO_REUSEADDR, true);
        InetSocketAddress bind = bindAddress(options);
        try {
            listener.bind(bind, Math.max(64, 4 * size));
        } catch (IOException e) {
            listener.close();
            throw new IOException("rank " + rank + " cannot listen on " + bind + ": " + e.getMessage()
                    + (rank == 0 ? " (is MASTER_PORT already in use?)" : ""), e);
        }
        Path dir = null;
        Path path = null;
        ServerSocketChannel unix = null;
        String key = (options.unixSockets() || options.sharedMemory()) && size > 1 ? HostIdentity.key() : "";
        if (!key.isEmpty() && options.unixSockets()) {
            try {
                dir = SocketDirectories.create();
                path = dir.resolve("r" + rank + ".sock");
                path.toFile().deleteOnExit();
                unix = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
                unix.bind(UnixDomainSocketAddress.of(path), Math.max(64, 4 * size));
            } catch (IOException | UnsupportedOperationException e) {
                log.debug("rank {}: no Unix-domain socket ({}); every connection uses TCP", rank, e.toString());
                closeQuietly(unix);
                deleteQuietly(path, dir);
                unix = null;
                path = null;
                key = options.sharedMemory() ? key : "";
            }
        }
        this.hostKey = key;
        this.unixListener = unix;
        this.unixPath = path;
        this.watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "ringsgd-handshake-watchdog-r" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Where this rank listens: the address given ({@code RINGSGD_BIND}); else, when MASTER_ADDR is a loopback address,
     * loopback (a job on one machine is not reachable from the network); else rank 0 listens on the local address
     * MASTER_ADDR names (if it names one of this machine's) and the other ranks on every interface.
     */
    private static InetSocketAddress bindAddress(TcpOptions options) {
        int port = options.rank() == 0 ? options.masterPort() : 0;
        if (options.bindHost() != null) {
            return new InetSocketAddress(options.bindHost(), port);
        }
        InetAddress master;
        try {
            master = InetAddress.getByName(options.masterAddr());
        } catch (UnknownHostException e) {
            return new InetSocketAddress(port); // dialing it will say what is wrong
        }
        if (master.isLoopbackAddress()) {
            return new InetSocketAddress(master, port);
        }
        if (options.rank() == 0) {
            try {
                if (NetworkInterface.getByInetAddress(master) != null) {
                    return new InetSocketAddress(master, port);
                }
            } catch (SocketException e) {
                // fall back to every interface
            }
        }
        return new InetSocketAddress(port);
    }

    /** Binds this rank's listener; nothing is connected until {@link #connect}. */
    public static TcpRendezvous open(TcpOptions options) {
        try {
            return new TcpRendezvous(options);
        } catch (IOException e) {
            throw new CollectiveException(e.getMessage(), e);
        }
    }

    /** The address this rank's listener is bound to. */
    InetSocketAddress listenAddress() {
        try {
            return (InetSocketAddress) listener.getLocalAddress();
        } catch (IOException e) {
            throw new CollectiveException("listener closed", e);
        }
    }

    /** The port this rank listens on (rank 0: the master port actually bound). */
    public int port() {
        try {
            return ((InetSocketAddress) listener.getLocalAddress()).getPort();
        } catch (IOException e) {
            throw new CollectiveException("listener closed", e);
        }
    }

    /**
     * Which peers share this rank's machine and both want shared memory: the same host key (kernel and network
     * namespace, see {@link HostIdentity}) and both registered with shared memory on.
     */
    private boolean[] sameMachine(String[] keys, boolean[] shm) {
        boolean[] same = new boolean[size];
        for (int j = 0; j < size; j++) {
            same[j] = j != rank && options.sharedMemory() && shm[j] && !hostKey.isEmpty() && hostKey.equals(keys[j]);
        }
        return same;
    }

    /** Runs the rendezvous and returns this rank's transport; throws naming the ranks that never came. */
    public TcpTransport connect(CommunicatorConfig config) {
        ShmLink[] links = new ShmLink[size];
        long deadline = System.nanoTime() + options.setupTimeout().toNanos();
        if (rank == 0 && size > 1 && !options.hasSecret()) {
            log.warn("this TCP job has no secret (RINGSGD_SECRET is not set): any process that reaches {} during the"
                    + " rendezvous can join the job or stop it. Set RINGSGD_SECRET to the same random string on every"
                    + " rank ('ringsgd run' does it for you)", listener.socket().getLocalSocketAddress());
        }
        try {
            if (size > 1) {
                acceptor = new Thread(() -> acceptLoop(listener), "ringsgd-accept-r" + rank);
                acceptor.setDaemon(true);
                acceptor.start();
                if (unixListener != null) {
                    unixAcceptor = new Thread(() -> acceptLoop(unixListener), "ringsgd-accept-unix-r" + rank);
                    unixAcceptor.setDaemon(true);
                    unixAcceptor.start();
                }
                String[] keys = new String[size];
                boolean[] shm = new boolean[size];
                if (rank == 0) {
                    awaitRegistrations(deadline, keys, shm);
                } else {
                    String[] hosts = new String[size];
                    int[] ports = new int[size];
                    String[] paths = new String[size];
                    register(deadline, hosts, ports, keys, paths, shm);
                    for (int j = 0; j < rank; j++) {
                        String host = j == 0 ? options.masterAddr() : hosts[j];
                        int port = j == 0 ? options.masterPort() : ports[j];
                        String local = options.unixSockets() && !hostKey.isEmpty() && hostKey.equals(keys[j])
                                && !paths[j].isEmpty()
                                ? paths[j] : null;
                        data[j] = dial(host, port, local, Handshake.DATA, deadline);
                        control[j] = dial(host, port, local, Handshake.CONTROL, deadline);
                    }

                }
                awaitMesh(deadline);
                links = ShmSetup.link(rank, size, data, sameMachine(keys, shm), options, deadline, watchdog);
                int unixPeers = 0;
                int shmPeers = 0;
                for (int j = 0; j < size; j++) {
                    unixPeers += j != rank && isUnix(data[j]) && links[j] == null ? 1 : 0;
                    shmPeers += links[j] != null ? 1 : 0;
                }
                if (rank == 0 && shmPeers > 0) {
                    log.info("rank 0 reaches {} of its {} peers through shared memory (same machine);"
                            + " RINGSGD_SHM=0 turns it off", shmPeers, size - 1);
                }
                if (rank == 0 && unixPeers > 0) {
                    log.info("rank 0 reaches {} of its {} peers through Unix-domain sockets (same machine);"
                            + " RINGSGD_UNIX_SOCKETS=0 keeps them on TCP", unixPeers, size - 1);
                }
            }
            TcpTransport t = new TcpTransport(rank, size, data, control, links, config);
            t.madeBy(options, config);
            log.debug("rank {} of {} connected over TCP", rank, size);
            return t;
        } catch (IOException e) {
            closeAll();
            throw new CollectiveException("rank " + rank + " could not join the TCP group: " + reason(e), e);
        } catch (RuntimeException e) {
            closeAll();
            throw e;
        } finally {
            close();
        }
    }

    // ------------------------------------------------------------------------------------------- accepting side

    private void acceptLoop(ServerSocketChannel from) {
        while (!closed) {
            SocketChannel ch;
            try {
                ch = from.accept();
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                if (!closed) {
                    log.warn("rank {} failed to accept a connection: {}", rank, e.toString());
                }
                continue;
            }
            if (!handshakes.tryAcquire()) {
                refusals.warn("rank {} refused a connection from {}: {} handshakes are already in progress", rank,
                        describe(ch), MAX_PENDING_HANDSHAKES + 4 * size);
                closeQuietly(ch);
                continue;
            }
            Thread h = new Thread(() -> {
                try {
                    handshake(ch);
                } finally {
                    handshakes.release();
                }
            }, "ringsgd-handshake-r" + rank);
            h.setDaemon(true);
            h.start();
        }
    }

    private void handshake(SocketChannel ch) {
        String from = describe(ch);
        ScheduledFuture<?> kill = watchdog.schedule(() -> closeQuietly(ch),
                options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
        try {
            tune(ch);
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            Handshake.Hello hello = Handshake.accept(in, out, options.secret(), size);
            if (hello.purpose() == Handshake.REGISTER) {
                if (rank != 0) {
                    throw new Handshake.Refused("rank " + hello.rank() + " tried to register with rank " + rank
                            + ", which is not the master");
                }
                String host = in.readUTF();
                int port = in.readInt();
                String key = in.readUTF();
                String path = in.readUTF();
                boolean shm = in.readBoolean();
                kill.cancel(false);
                accepted(hello, ch, new Registration(host, port, key, path, shm, ch, out), from);
            } else {
                kill.cancel(false);
                accepted(hello, ch, null, from);
            }
        } catch (Handshake.Refused e) {
            kill.cancel(false);
            refusals.warn("rank {} refused a connection from {}: {}", rank, from, e.getMessage());
            closeQuietly(ch);
        } catch (IOException | RuntimeException e) {
            kill.cancel(false);
            if (!closed) {
                refusals.warn("rank {} refused a connection from {}: it broke off or sent garbage before proving the"
                        + " job secret ({})", rank, from, e.toString());
            }
            closeQuietly(ch);
        }
    }

    private synchronized void accepted(Handshake.Hello hello, SocketChannel ch, Registration reg, String from) {
        int peer = hello.rank();
        String problem = null;
        if (closed) {
            problem = "the rendezvous is over";
        } else if (reg != null) {
            if (registrations[peer] != null || peer == 0) {
                problem = "rank " + peer + " is already registered (two processes started with RANK=" + peer + "?)";
            } else {
                registrations[peer] = reg;
                pending.add(ch);
            }
        } else if (peer <= rank) {
            problem = "rank " + peer + " must not connect to rank " + rank + " (ranks connect to lower ranks only)";
        } else {
            SocketChannel[] slot = hello.purpose() == Handshake.DATA ? data : control;
            if (slot[peer] != null) {
                problem = "rank " + peer + " is already connected (two processes started with RANK=" + peer + "?)";
            } else {
                slot[peer] = ch;
            }
        }
        if (problem != null) {
            refusals.warn("rank {} refused a connection from {}: {}", rank, from, problem);
            closeQuietly(ch);
        }
        notifyAll();
    }

    // ------------------------------------------------------------------------------------------- rank 0

    private void awaitRegistrations(long deadline, String[] keys, boolean[] shm) throws IOException {
        synchronized (this) {
            while (missing(registrations, 1).length() > 0) {
                waitUntil(deadline, "registrations from ranks " + missing(registrations, 1));
            }
        }
        keys[0] = hostKey;
        shm[0] = options.sharedMemory();
        for (int k = 1; k < size; k++) {
            keys[k] = registrations[k].hostKey();
            shm[k] = registrations[k].shm();
        }
        for (int j = 1; j < size; j++) {
            DataOutputStream out = registrations[j].out();
            out.writeInt(size);
            for (int k = 0; k < size; k++) {
                Registration reg = registrations[k];
                out.writeUTF(reg == null ? "" : reg.host());
                out.writeInt(reg == null ? 0 : reg.port());
                // Rank 0 does not register: its own boot id and socket path go in its row.
                out.writeUTF(k == 0 ? hostKey : reg == null ? "" : reg.hostKey());
                out.writeUTF(k == 0 ? unixPathString() : reg == null ? "" : reg.unixPath());
                out.writeBoolean(k == 0 ? options.sharedMemory() : reg != null && reg.shm());
            }
            out.flush();
        }
        for (int j = 1; j < size; j++) {
            closeQuietly(registrations[j].channel());
        }
    }

    // ------------------------------------------------------------------------------------------- other ranks

    private void register(long deadline, String[] hosts, int[] ports, String[] keys, String[] paths,
            boolean[] shm) throws IOException {
        while (true) {
            try {
                registerOnce(deadline, hosts, ports, keys, paths, shm);
                return;
            } catch (Handshake.Busy e) {
                backOff(deadline, "rank 0", e);
            }
        }
    }

    /** After {@link Handshake.Busy}: waits a little before the next try, or gives up at the deadline. */
    private static void backOff(long deadline, String who, Handshake.Busy e) throws IOException {
        if (System.nanoTime() > deadline) {
            throw new IOException(who + " kept closing connections before its challenge until the setup timeout:"
                    + " it was flooded with connections, or it exited", e);
        }
        sleep(100 + java.util.concurrent.ThreadLocalRandom.current().nextInt(200));
    }

    private void registerOnce(long deadline, String[] hosts, int[] ports, String[] keys, String[] paths,
            boolean[] shm) throws IOException {
        SocketChannel ch = dialRaw(options.masterAddr(), options.masterPort(), deadline);
        ScheduledFuture<?> kill = watchdog.schedule(() -> closeQuietly(ch),
                Math.max(1, (deadline - System.nanoTime()) / 1_000_000), TimeUnit.MILLISECONDS);
        try {
            DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
            DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
            Handshake.connect(in, out, options.secret(), Handshake.REGISTER, rank, size);
            String host = options.advertiseHost() != null ? options.advertiseHost()
                    : ((InetSocketAddress) ch.getLocalAddress()).getAddress().getHostAddress();
            out.writeUTF(host);
            out.writeInt(port());
            out.writeUTF(hostKey);
            out.writeUTF(unixPathString());
            out.writeBoolean(options.sharedMemory());
            out.flush();
            int n = in.readInt();
            if (n != size) {
                throw new IOException("rank 0 sent a table of " + n + " ranks, expected " + size);
            }
            for (int k = 0; k < size; k++) {
                hosts[k] = in.readUTF();
                ports[k] = in.readInt();
                keys[k] = in.readUTF();
                paths[k] = in.readUTF();
                shm[k] = in.readBoolean();
            }
        } catch (ClosedChannelException e) {
            throw new IOException("timed out waiting for rank 0 to receive the registrations of all " + size
                    + " ranks (are all ranks started with WORLD_SIZE=" + size + "?)", e);
        } catch (EOFException e) {
            throw new IOException("rank 0 closed the connection before it sent the table of ranks: it exited or"
                    + " gave up (see its output)", e);
        } finally {
            kill.cancel(false);
            closeQuietly(ch);
        }
    }

    /**
     * Connects to a peer and proves the secret: through its Unix-domain socket {@code unixPath} if not null and
     * reachable, else over TCP.
     */
    private SocketChannel dial(String host, int port, String unixPath, byte purpose, long deadline)
            throws IOException {
        while (true) {
            SocketChannel viaUnix = unixPath == null ? null : dialUnix(unixPath);
            SocketChannel ch = viaUnix != null ? viaUnix : dialRaw(host, port, deadline);
            ScheduledFuture<?> kill = watchdog.schedule(() -> closeQuietly(ch),
                    options.handshakeTimeout().toMillis(), TimeUnit.MILLISECONDS);
            try {
                DataInputStream in = new DataInputStream(Channels.newInputStream(ch));
                DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(ch)));
                Handshake.connect(in, out, options.secret(), purpose, rank, size);
                return ch;
            } catch (Handshake.Busy e) {
                closeQuietly(ch);
                backOff(deadline, "the rank at " + host + ":" + port, e);
            } catch (IOException e) {
                closeQuietly(ch);
                throw new IOException("the rank at " + host + ":" + port + " refused rank " + rank + ": " + reason(e),
                        e);
            } finally {
                kill.cancel(false);
            }
        }
    }

    /** Connects to a Unix-domain socket, or returns null (and the caller uses TCP) if that fails. */
    private SocketChannel dialUnix(String path) {
        SocketChannel ch = null;
        try {
            ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            tune(ch);
            ch.connect(UnixDomainSocketAddress.of(path));
            return ch;
        } catch (IOException | RuntimeException e) {
            log.debug("rank {} cannot use the Unix-domain socket {} ({}); using TCP", rank, path, e.toString());
            closeQuietly(ch);
            return null;
        }
    }

    /** Connects, retrying while the peer is not listening yet, until the deadline. */
    private SocketChannel dialRaw(String host, int port, long deadline) throws IOException {
        IOException last = null;
        while (System.nanoTime() < deadline) {
            SocketChannel ch = SocketChannel.open();
            try {
                tune(ch);
                ch.connect(new InetSocketAddress(host, port));
                return ch;
            } catch (ConnectException e) {
                closeQuietly(ch);
                last = e;
                sleep(50);
            } catch (IOException e) {
                closeQuietly(ch);
                throw new IOException("rank " + rank + " cannot reach " + host + ":" + port + ": " + e, e);
            }
        }
        throw new IOException("rank " + rank + " could not connect to " + host + ":" + port + " within the setup"
                + " timeout (" + options.setupTimeout().toSeconds() + " s): is rank 0 running with MASTER_PORT="
                + options.masterPort() + "?", last);
    }

    // ------------------------------------------------------------------------------------------- helpers

    private void awaitMesh(long deadline) {
        synchronized (this) {
            while (true) {
                StringBuilder missing = new StringBuilder();
                for (int j = rank + 1; j < size; j++) {
                    if (data[j] == null || control[j] == null) {
                        missing.append(missing.length() == 0 ? "" : ", ").append(j);
                    }
                }
                if (missing.length() == 0) {
                    return;
                }
                waitUntil(deadline, "connections from ranks " + missing);
            }
        }
    }

    private static String missing(Object[] slots, int from) {
        StringBuilder sb = new StringBuilder();
        for (int j = from; j < slots.length; j++) {
            if (slots[j] == null) {
                sb.append(sb.length() == 0 ? "" : ", ").append(j);
            }
        }
        return sb.toString();
    }

    private void waitUntil(long deadline, String what) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            String list = what.replaceAll("^[^0-9]*", "");
            int first = list.isEmpty() ? -1 : Integer.parseInt(list.split(",")[0].trim());
            throw new PeerFailureException(first, "rank " + rank + " timed out after "
                    + options.setupTimeout().toSeconds() + " s waiting for " + what + ": are they running, with the"
                    + " same MASTER_ADDR, MASTER_PORT, WORLD_SIZE=" + size + " and RINGSGD_SECRET?");
        }
        try {
            wait(Math.max(1, left / 1_000_000));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted during the TCP rendezvous", e);
        }
    }

    private void tune(SocketChannel ch) throws IOException {
        if (ch.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
        }
        if (options.socketBufferBytes() > 0) {
            ch.setOption(StandardSocketOptions.SO_SNDBUF, options.socketBufferBytes());
            ch.setOption(StandardSocketOptions.SO_RCVBUF, options.socketBufferBytes());
        }
    }

    private static String describe(SocketChannel ch) {
        try {
            if (isUnix(ch)) {
                return "a Unix-domain socket at " + ch.getLocalAddress();
            }
            return String.valueOf(ch.getRemoteAddress());
        } catch (IOException e) {
            return "?";
        }
    }

    static boolean isUnix(SocketChannel ch) {
        try {
            return ch != null && ch.getLocalAddress() instanceof UnixDomainSocketAddress;
        } catch (IOException e) {
            return false;
        }
    }

    /** A sentence for an I/O failure, also for exceptions without a message (EOF, closed channel). */
    static String reason(IOException e) {
        if (e instanceof EOFException) {
            return "the other side closed the connection in the middle of the rendezvous (did it exit? see its"
                    + " output)";
        }
        if (e instanceof ClosedChannelException) {
            return "the connection was closed (the rendezvous timed out or the other side exited)";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private String unixPathString() {
        return unixPath == null ? "" : unixPath.toString();
    }

    private static void deleteQuietly(Path file, Path dir) {
        Path owner = dir == null ? null : dir.resolve(SocketDirectories.OWNER);
        for (Path p : new Path[] {file, owner, dir}) {
            if (p != null) {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // a leftover file in the temporary directory is harmless
                }
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static void closeQuietly(java.nio.channels.Channel ch) {
        if (ch != null) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }

    private synchronized void closeAll() {
        for (int j = 0; j < size; j++) {
            closeQuietly(data[j]);
            closeQuietly(control[j]);
            if (registrations[j] != null) {
                closeQuietly(registrations[j].channel());
            }
        }
    }

    /** Stops accepting; connections already handed to the transport stay open. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            for (SocketChannel ch : pending) {
                if (!ch.isOpen()) {
                    continue;
                }
                boolean kept = false;
                for (int j = 0; j < size; j++) {
                    kept |= ch == data[j] || ch == control[j];
                }
                if (!kept) {
                    closeQuietly(ch);
                }
            }
        }
        closeQuietly(listener);
        closeQuietly(unixListener);
        deleteQuietly(unixPath, unixPath == null ? null : unixPath.getParent());
        watchdog.shutdownNow();
    }
}

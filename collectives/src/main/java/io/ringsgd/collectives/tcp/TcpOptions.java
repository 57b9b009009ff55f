package io.ringsgd.collectives.tcp;

import io.ringsgd.collectives.Units;
import java.time.Duration;
import java.util.Map;

/**
 * Where a TCP rank finds the others: its rank, the world size and the master (rank 0) address, as torchrun passes
 * them ({@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT}), plus the job secret every
 * connection must prove it knows ({@code RINGSGD_SECRET}).
 */
public final class TcpOptions {
    private final int rank;
    private final int worldSize;
    private final String masterAddr;
    private final int masterPort;
    private final String bindHost;
    private final String advertiseHost;
    private final byte[] secret;
    private final Duration setupTimeout;
    private final Duration handshakeTimeout;
    private final int socketBufferBytes;
    private final boolean unixSockets;
    private final boolean sharedMemory;
    private final long shmRingBytes;

    private TcpOptions(Builder b) {
        this.rank = b.rank;
        this.worldSize = b.worldSize;
        this.masterAddr = b.masterAddr;
        this.masterPort = b.masterPort;
        this.bindHost = b.bindHost;
        this.advertiseHost = b.advertiseHost;
        this.secret = b.secret.clone();
        this.setupTimeout = b.setupTimeout;
        this.handshakeTimeout = b.handshakeTimeout;
        this.socketBufferBytes = b.socketBufferBytes;
        this.unixSockets = b.unixSockets;
        this.sharedMemory = b.sharedMemory;
        this.shmRingBytes = b.shmRingBytes;
    }

    private TcpOptions(TcpOptions o, int masterPort) {
        this.rank = o.rank;
        this.worldSize = o.worldSize;
        this.masterAddr = o.masterAddr;
        this.masterPort = masterPort;
        this.bindHost = o.bindHost;
        this.advertiseHost = o.advertiseHost;
        this.secret = o.secret;
        this.setupTimeout = o.setupTimeout;
        this.handshakeTimeout = o.handshakeTimeout;
        this.socketBufferBytes = o.socketBufferBytes;
        this.unixSockets = o.unixSockets;
        this.sharedMemory = o.sharedMemory;
        this.shmRingBytes = o.shmRingBytes;
    }

    /** These options with rank 0 listening on {@code port} (0: any free port, at rank 0), for a new context. */
    TcpOptions withMasterPort(int port) {
        return new TcpOptions(this, port);
    }

    /**
     * Reads {@code RANK}, {@code WORLD_SIZE}, {@code MASTER_ADDR}, {@code MASTER_PORT} and optionally
     * {@code RINGSGD_SECRET}, {@code RINGSGD_BIND}, {@code RINGSGD_ADVERTISE}, {@code RINGSGD_SETUP_TIMEOUT},
     * {@code RINGSGD_UNIX_SOCKETS}, {@code RINGSGD_SHM}, {@code RINGSGD_SHM_RING} from {@code env}; a missing or malformed variable is named in the error.
     */
    public static TcpOptions fromEnvironment(Map<String, String> env) {
        Builder b = builder();
        b.rank(intVar(env, "RANK"));
        b.worldSize(intVar(env, "WORLD_SIZE"));
        String addr = env.get("MASTER_ADDR");
        if (addr == null || addr.isBlank()) {
            throw new IllegalArgumentException("MASTER_ADDR is not set: set it to the host of rank 0 (as for"
                    + " torchrun), or start the ranks with 'ringsgd run -np N -- ...'");
        }
        b.master(addr.trim(), intVar(env, "MASTER_PORT"));
        String secret = env.get("RINGSGD_SECRET");
        if (secret != null) {
            b.secret(secret);
        }
        if (env.get("RINGSGD_BIND") != null) {
            b.bindHost(env.get("RINGSGD_BIND").trim());
        }
        if (env.get("RINGSGD_ADVERTISE") != null) {
            b.advertiseHost(env.get("RINGSGD_ADVERTISE").trim());
        }
        if (env.get("RINGSGD_SOCKET_BUFFER") != null) {
            b.socketBufferBytes((int) Units.parseBytes(env.get("RINGSGD_SOCKET_BUFFER")));
        }
        String unix = env.get("RINGSGD_UNIX_SOCKETS");
        if (unix != null) {
            b.unixSockets(switchVar("RINGSGD_UNIX_SOCKETS", unix));
        }
        String shm = env.get("RINGSGD_SHM");
        if (shm != null) {
            b.sharedMemory(switchVar("RINGSGD_SHM", shm));
        }
        if (env.get("RINGSGD_SHM_RING") != null) {
            b.shmRingBytes(Units.parseBytes(env.get("RINGSGD_SHM_RING")));
        }
        if (env.get("RINGSGD_SETUP_TIMEOUT") != null) {
            b.setupTimeout(Units.parseDuration(env.get("RINGSGD_SETUP_TIMEOUT")));
        }
        return b.build();
    }

    /** {@link #fromEnvironment(Map)} of this process's environment. */
    public static TcpOptions fromEnvironment() {
        return fromEnvironment(System.getenv());
    }

    private static boolean switchVar(String name, String value) {
        String u = value.trim().toLowerCase(java.util.Locale.ROOT);
        if (!u.matches("0|1|true|false|yes|no|on|off")) {
            throw new IllegalArgumentException(name + " must be 1 or 0 (true/false), got '" + value + "'");
        }
        return u.matches("1|true|yes|on");
    }

    private static int intVar(Map<String, String> env, String name) {
        String v = env.get(name);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException(name + " is not set: a TCP rank needs RANK, WORLD_SIZE, MASTER_ADDR"
                    + " and MASTER_PORT (or start the ranks with 'ringsgd run -np N -- ...')");
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + v + "' is not an integer");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    public int rank() {
        return rank;
    }

    public int worldSize() {
        return worldSize;
    }

    public String masterAddr() {
        return masterAddr;
    }

    /** Port rank 0 listens on; 0 (rank 0 only, tests) binds any free port. */
    public int masterPort() {
        return masterPort;
    }

    /** Address the rank's own listener binds (ranks other than 0); null: the wildcard address. */
    public String bindHost() {
        return bindHost;
    }

    /** Host name the other ranks use to reach this rank; null: the address this rank used to reach the master. */
    public String advertiseHost() {
        return advertiseHost;
    }

    byte[] secret() {
        return secret.clone();
    }

    boolean hasSecret() {
        return secret.length > 0;
    }

    /** How long the whole rendezvous may take (every rank started and connected). */
    public Duration setupTimeout() {
        return setupTimeout;
    }

    /** How long one connection may take to prove it knows the secret. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** SO_SNDBUF / SO_RCVBUF in bytes, or 0 to leave them to the kernel's autotuning. */
    public int socketBufferBytes() {
        return socketBufferBytes;
    }

    /**
     * Whether ranks on the same machine connect through Unix-domain sockets instead of TCP loopback (same frames,
     * same handshake; the kernel skips the TCP/IP stack, which moves large messages about 1.7× faster here). Default
     * true; {@code RINGSGD_UNIX_SOCKETS=0} keeps every connection on TCP.
     */
    public boolean unixSockets() {
        return unixSockets;
    }

    /**
     * Whether ranks on the same machine (same kernel and network namespace, and a segment directory both can open)
     * move their data through shared memory ({@link ShmLink}) instead of their data connection: a ring buffer per
     * direction in a mapped file, one copy in and one out instead of two through the kernel. The connections are
     * still made (the control connection reports aborts and deaths; the data connection wakes a sleeping peer).
     * Default true; {@code RINGSGD_SHM=0} turns it off.
     */
    public boolean sharedMemory() {
        return sharedMemory;
    }

    /** Bytes of each shared-memory ring (one per direction and pair of ranks); {@code RINGSGD_SHM_RING}, 1 MiB. */
    public long shmRingBytes() {
        return shmRingBytes;
    }

    /** Builder of {@link TcpOptions}. */
    public static final class Builder {
        private int rank = -1;
        private int worldSize = -1;
        private String masterAddr = "127.0.0.1";
        private int masterPort = -1;
        private String bindHost;
        private String advertiseHost;
        private byte[] secret = new byte[0];
        private Duration setupTimeout = Duration.ofSeconds(120);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int socketBufferBytes;
        private boolean unixSockets = true;
        private boolean sharedMemory = true;
        private long shmRingBytes = 1 << 20;

        public Builder rank(int r) {
            this.rank = r;
            return this;
        }

        public Builder worldSize(int n) {
            this.worldSize = n;
            return this;
        }

        public Builder master(String addr, int port) {
            this.masterAddr = addr;
            this.masterPort = port;
            return this;
        }

        public Builder bindHost(String h) {
            this.bindHost = h;
            return this;
        }

        public Builder advertiseHost(String h) {
            this.advertiseHost = h;
            return this;
        }

        public Builder secret(String s) {
            this.secret = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return this;
        }

        public Builder setupTimeout(Duration d) {
            this.setupTimeout = d;
            return this;
        }

        public Builder handshakeTimeout(Duration d) {
            this.handshakeTimeout = d;
            return this;
        }

        public Builder socketBufferBytes(int b) {
            this.socketBufferBytes = b;
            return this;
        }

        /** Same-machine peers over Unix-domain sockets (default true); see {@link TcpOptions#unixSockets()}. */
        public Builder unixSockets(boolean on) {
            this.unixSockets = on;
            return this;
        }

        /** Same-machine peers through shared memory (default true); see {@link TcpOptions#sharedMemory()}. */
        public Builder sharedMemory(boolean on) {
            this.sharedMemory = on;
            return this;
        }

        /** Bytes of each shared-memory ring (rounded to 4 KiB, at least 64 KiB); default 1 MiB. */
        public Builder shmRingBytes(long bytes) {
            this.shmRingBytes = bytes;
            return this;
        }

        public TcpOptions build() {
            if (worldSize < 1) {
                throw new IllegalArgumentException("WORLD_SIZE must be at least 1, got " + worldSize);
            }
            if (rank < 0 || rank >= worldSize) {
                throw new IllegalArgumentException("RANK must be in 0.." + (worldSize - 1) + ", got " + rank);
            }
            if (masterPort < 0 || masterPort > 65535 || (masterPort == 0 && rank != 0)) {
                throw new IllegalArgumentException("MASTER_PORT must be a port number 1..65535, got " + masterPort);
            }
            if (masterAddr == null || masterAddr.isBlank()) {
                throw new IllegalArgumentException("MASTER_ADDR is empty");
            }
            return new TcpOptions(this);
        }
    }
}

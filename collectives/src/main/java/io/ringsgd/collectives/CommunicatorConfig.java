package io.ringsgd.collectives;

import io.ringsgd.collectives.algorithm.AlgorithmRegistry;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import io.ringsgd.collectives.emulation.EmulatedTransport;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.collectives.trace.TracingTransport;
import io.ringsgd.collectives.transport.Transport;
import java.time.Duration;

/**
 * Settings of a communicator that all its ranks must share: failure timeout, pipeline segment size and window, the
 * algorithm table and a job-wide forced AllReduce algorithm. {@link #fromSystemProperties()} reads the
 * {@code ringsgd.*} system properties (and {@code RINGSGD_*} environment variables), so a job can be tuned without
 * code changes:
 *
 * <pre>
 *   ringsgd.timeout=30s          RINGSGD_TIMEOUT      a peer silent this long is declared failed (default 300s)
 *   ringsgd.segment=256k         RINGSGD_SEGMENT      largest pipelined message (default 256k)
 *   ringsgd.window=4             RINGSGD_WINDOW       segments in flight (default 4, at least 2)
 *   ringsgd.algorithm=ring       RINGSGD_ALGORITHM    force the AllReduce algorithm (default auto)
 *   ringsgd.table=allreduce:0-16k=recursive-doubling  rows put in front of the selection table
 *   ringsgd.table=@cluster.table                      the rows of a file (one per line, # comments), such as the
 *                                                     one {@code ringsgd bench allreduce --save-table} writes
 *   ringsgd.net.latency=200us  RINGSGD_NET_LATENCY  emulate a link (with ringsgd.net.bandwidth)
 *   ringsgd.net.bandwidth=1gbit RINGSGD_NET_BANDWIDTH
 *   ringsgd.spin=20us            RINGSGD_SPIN         busy-wait before blocking (default 20us)
 *   ringsgd.bcube.n=3            RINGSGD_BCUBE_N      base n of the bcube AllReduce (default 0: the smallest that fits)
 * </pre>
 *
 * Immutable and thread-safe; build one with {@link #builder()}. Bad values throw IllegalArgumentException when they
 * are set (or parsed), never later.
 */
public final class CommunicatorConfig {
    private final Duration timeout;
    private final int segmentBytes;
    private final boolean segmentChosen;
    private final int window;
    private final Algorithm allreduceAlgorithm;
    private final AlgorithmTable table;
    private final Duration spin;
    private final LinkModel link;
    private final Tracer tracer;
    private final int bcubeBase;

    private CommunicatorConfig(Builder b) {
        this.timeout = b.timeout;
        this.segmentBytes = b.segmentBytes;
        this.segmentChosen = b.segmentChosen;
        this.window = b.window;
        this.allreduceAlgorithm = b.allreduceAlgorithm;
        this.table = b.table;
        this.spin = b.spin;
        this.link = b.link;
        this.tracer = b.tracer;
        this.bcubeBase = b.bcubeBase;
    }

    /** Defaults overridden by {@code ringsgd.*} system properties and {@code RINGSGD_*} environment variables. */
    public static CommunicatorConfig fromSystemProperties() {
        Builder b = builder();
        String v;
        if ((v = setting("timeout")) != null) {
            b.timeout(Units.parseDuration(v));
        }
        if ((v = setting("segment")) != null) {
            b.segmentBytes((int) Units.parseBytes(v));
        }
        if ((v = setting("window")) != null) {
            b.window(Integer.parseInt(v.trim()));
        }
        if ((v = setting("algorithm")) != null) {
            b.allreduceAlgorithm(Algorithm.parse(v));
        }
        if ((v = setting("table")) != null) {
            b.table(AlgorithmTable.withOverrides(v.startsWith("@") ? tableFile(v.substring(1).trim()) : v));
        }
        if ((v = setting("bcube.n")) != null) {
            try {
                b.bcubeBase(Integer.parseInt(v.trim()));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("ringsgd.bcube.n must be an integer, got '" + v + "'");
            }
        }
        if ((v = setting("spin")) != null) {
            b.spin(Units.parseDuration(v));
        }
        String lat = setting("net.latency");
        String bw = setting("net.bandwidth");
        if (lat != null || bw != null) {
            b.link(LinkModel.parse(lat == null ? "0us" : lat, bw == null ? "1000gbit" : bw));
        }
        return b.build();
    }

    /** The rows of a table file as one comma-separated spec: a row per line, {@code #} starts a comment. */
    private static String tableFile(String path) {
        java.util.List<String> lines;
        try {
            lines = java.nio.file.Files.readAllLines(java.nio.file.Path.of(path));
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException("ringsgd.table=@" + path + ": cannot read the table file (" + e
                    + ")");
        }
        StringBuilder rows = new StringBuilder();
        for (String l : lines) {
            String row = l.replaceFirst("#.*", "").trim();
            if (!row.isEmpty()) {
                rows.append(rows.length() == 0 ? "" : ",").append(row);
            }
        }
        if (rows.length() == 0) {
            throw new IllegalArgumentException("ringsgd.table=@" + path + ": the table file holds no row");
        }
        return rows.toString();
    }

    private static String setting(String key) {
        String v = System.getProperty("ringsgd." + key);
        if (v == null) {
            v = System.getenv("RINGSGD_" + key.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
        }
        return v == null || v.isBlank() ? null : v;
    }

    /** A builder starting from the defaults (not from system properties). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this configuration. */
    public Builder toBuilder() {
        Builder b = new Builder().timeout(timeout).segmentBytes(segmentBytes).window(window)
                .allreduceAlgorithm(allreduceAlgorithm).table(table).spin(spin).link(link).tracer(tracer)
                .bcubeBase(bcubeBase);
        b.segmentChosen = segmentChosen;
        return b;
    }

    /**
     * This configuration, or, when nobody chose a segment size (no {@code ringsgd.segment}, no
     * {@link Builder#segmentBytes}), a copy with {@code bytes}: how a transport whose per-message cost is high
     * (MPJ Express) asks for larger segments without overriding a user's choice.
     */
    public CommunicatorConfig withDefaultSegment(int bytes) {
        if (segmentChosen || bytes == segmentBytes) {
            return this;
        }
        Builder b = toBuilder().segmentBytes(bytes);
        b.segmentChosen = false;
        return b.build();
    }

    /** How long a wait may see no progress from a peer before that peer is declared failed (default 300 s). */
    public Duration timeout() {
        return timeout;
    }

    /** Largest message of the pipelined algorithms, in bytes (default 256 KiB). */
    public int segmentBytes() {
        return segmentBytes;
    }

    /** Segments a pipelined algorithm keeps in flight (default 4). */
    public int window() {
        return window;
    }

    /** AllReduce algorithm used when a call asks for AUTO, or AUTO to use the table. */
    public Algorithm allreduceAlgorithm() {
        return allreduceAlgorithm;
    }

    /** Base n of the bcube AllReduce's levels (0, the default: the smallest n ≥ 2 whose power is the group size). */
    public int bcubeBase() {
        return bcubeBase;
    }

    /** The selection table that resolves AUTO. */
    public AlgorithmTable table() {
        return table;
    }

    /** How long a wait busy-polls before it blocks (default 20 µs). */
    public Duration spin() {
        return spin;
    }

    /** The emulated link every message crosses, or null for none. */
    public LinkModel link() {
        return link;
    }

    /** Where the communicator records its timeline ({@link Tracer#OFF}: nowhere). */
    public Tracer tracer() {
        return tracer;
    }

    /** {@code t} wrapped in the emulated link if one is configured, and in a recorder if tracing is on. */
    public Transport wrap(Transport t) {
        Transport linked = link == null ? t : new EmulatedTransport(t, link);
        return tracer.on() ? new TracingTransport(linked, tracer) : linked;
    }

    /** Builder of {@link CommunicatorConfig}; not thread-safe. */
    public static final class Builder {
        private Duration timeout = Duration.ofSeconds(300);
        private int segmentBytes = 256 << 10;
        private boolean segmentChosen;
        private int window = 4;
        private Algorithm allreduceAlgorithm = Algorithm.AUTO;
        private AlgorithmTable table = AlgorithmTable.defaults();
        private Duration spin = Duration.ofNanos(20_000);
        private LinkModel link;
        private Tracer tracer = Tracer.OFF;
        private int bcubeBase;

        /** Sets {@link CommunicatorConfig#bcubeBase()}: 0, or at least 2. */
        public Builder bcubeBase(int n) {
            if (n != 0 && n < 2) {
                throw new IllegalArgumentException("bcube base n must be 0 (pick the smallest that fits) or at least"
                        + " 2, got " + n);
            }
            this.bcubeBase = n;
            return this;
        }

        /** Record the communicator's collectives and messages on {@code t} (default {@link Tracer#OFF}). */
        public Builder tracer(Tracer t) {
            if (t == null) {
                throw new IllegalArgumentException("tracer is null: pass Tracer.OFF");
            }
            this.tracer = t;
            return this;
        }

        /** Sets {@link CommunicatorConfig#timeout()} (positive). */
        public Builder timeout(Duration t) {
            if (t == null || t.isNegative() || t.isZero()) {
                throw new IllegalArgumentException("timeout must be positive, got " + t);
            }
            this.timeout = t;
            return this;
        }

        /** Sets {@link CommunicatorConfig#segmentBytes()} (1 KiB to 64 MiB), marking it chosen by the user. */
        public Builder segmentBytes(int bytes) {
            if (bytes < 1024 || bytes > (64 << 20)) {
                throw new IllegalArgumentException("segment size must be between 1k and 64m bytes, got " + bytes);
            }
            this.segmentBytes = bytes;
            this.segmentChosen = true;
            return this;
        }

        /** Sets {@link CommunicatorConfig#window()} (2 to 1024). */
        public Builder window(int w) {
            if (w < 2 || w > 1024) {
                throw new IllegalArgumentException("window must be between 2 and 1024 segments, got " + w);
            }
            this.window = w;
            return this;
        }

        /**
         * Forces the AllReduce algorithm of calls that ask for AUTO (AUTO: use the table). Whether the transport has
         * it is checked at each call.
         */
        public Builder allreduceAlgorithm(Algorithm a) {
            AlgorithmRegistry.standard().require(CollectiveKind.ALLREDUCE, a, null);
            this.allreduceAlgorithm = a;
            return this;
        }

        /** Sets the selection table. */
        public Builder table(AlgorithmTable t) {
            this.table = t;
            return this;
        }

        /** Sets {@link CommunicatorConfig#spin()}. */
        public Builder spin(Duration d) {
            this.spin = d;
            return this;
        }

        /** Emulate {@code l} on every message (null: none). */
        public Builder link(LinkModel l) {
            this.link = l;
            return this;
        }

        /** The configuration. */
        public CommunicatorConfig build() {
            return new CommunicatorConfig(this);
        }
    }
}

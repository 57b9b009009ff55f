package io.ringsgd.launch;

import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.tcp.TcpCommunicators;
import io.ringsgd.collectives.tcp.TcpOptions;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * How a command gets its ranks: {@code local} runs N threads in this JVM; {@code tcp} makes this process one rank of a
 * job described by the environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, as set by {@code ringsgd run});
 * {@code mpj} makes it one rank of an MPJ Express job started by {@code ringsgd-mpjrun}.
 */
public final class Jobs {
    private Jobs() {
    }

    /** The transports a command accepts. */
    public enum Transport {
        LOCAL, TCP, MPJ;

        static Transport parse(String s) {
            try {
                return valueOf(s.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown transport '" + s + "': use local, tcp or mpj");
            }
        }

        /**
         * The transport of {@code --transport} (null: not given): by default the job this process was started in
         * (tcp under {@code ringsgd run} or any launcher that sets RANK and WORLD_SIZE, mpj under mpjrun), else
         * local. Refuses local in a process that is one rank of a larger job: each rank would run a whole job of its
         * own, writing to the same outputs.
         */
        static Transport resolve(String option) {
            if (option == null) {
                return MpjBridge.isInitialized() ? MPJ : inTcpJob() ? TCP : LOCAL;
            }
            Transport t = parse(option);
            if (t == LOCAL && inTcpJob() && !"1".equals(System.getenv("WORLD_SIZE").trim())) {
                throw new IllegalArgumentException("this process is rank " + System.getenv("RANK").trim() + " of a"
                        + " job of " + System.getenv("WORLD_SIZE").trim() + " ranks (RANK and WORLD_SIZE are set,"
                        + " as 'ringsgd run' sets them), but --transport local would run a whole job in each rank:"
                        + " drop --transport local (tcp is the default there)");
            }
            return t;
        }
    }

    /**
     * MPJ Express's segment size when the user chose none and every rank runs on one host: each MPJ message costs a
     * rendezvous through its device threads, so on one host fewer, larger segments win. Across hosts the general
     * default (256 KiB) stays: there the link, not the per-message cost, is the bound, and smaller segments keep it
     * busier (measured in the README's emulated-host MPJ rows).
     */
    static final int MPJ_ONE_HOST_SEGMENT_BYTES = 1 << 20;

    /** {@code config} with the defaults {@code transport} prefers where the user chose nothing. */
    public static CommunicatorConfig forTransport(Transport transport, CommunicatorConfig config) {
        return transport == Transport.MPJ && MpjBridge.ranksShareOneHost()
                ? config.withDefaultSegment(MPJ_ONE_HOST_SEGMENT_BYTES) : config;
    }

    /** True when this process was started as one rank of a TCP job. */
    public static boolean inTcpJob() {
        return System.getenv("RANK") != null && System.getenv("WORLD_SIZE") != null;
    }

    /**
     * This process's rank of the TCP job its environment describes. Under {@link Launcher} the secret comes from the
     * launcher's control channel, and where rank 0 picks its port (MASTER_PORT=0) it tells the launcher, which tells
     * the others.
     */
    static Communicator connectTcp(CommunicatorConfig config) {
        Map<String, String> env = new HashMap<>(System.getenv());
        LaunchControl control = LaunchControl.current();
        if (control != null) {
            env.put("RINGSGD_SECRET", control.secret());
        }
        boolean pickPort = "0".equals(env.getOrDefault("MASTER_PORT", "").trim());
        if (pickPort && !"0".equals(env.getOrDefault("RANK", "").trim())) {
            if (control == null) {
                throw new IllegalArgumentException("MASTER_PORT=0 on rank " + env.get("RANK") + ": only a launcher"
                        + " ('ringsgd run') can tell the ranks the port rank 0 picks; set MASTER_PORT to a free port");
            }
            Duration setup = Units.parseDuration(env.getOrDefault("RINGSGD_SETUP_TIMEOUT", "120s"));
            env.put("MASTER_PORT", Integer.toString(control.awaitMasterPort(setup)));
        }
        TcpOptions options = TcpOptions.fromEnvironment(env);
        IntConsumer listening = pickPort && options.rank() == 0 && control != null ? control::announceMasterPort
                : port -> { };
        return TcpCommunicators.connect(options, config, listening);
    }

    /**
     * Runs {@code body} on every rank of this process and returns rank 0's result, or null if this process does
     * not hold rank 0. {@code np} applies to the local transport (the others take the size from their launcher).
     */
    public static <T> T run(Transport transport, int np, CommunicatorConfig config, Function<Communicator, T> body) {
        config = forTransport(transport, config);
        switch (transport) {
            case LOCAL: {
                if (np < 1) {
                    throw new IllegalArgumentException("--np must be at least 1, got " + np);
                }
                List<T> results = Communicators.runLocal(np, config, body);
                return results.get(0);
            }
            case TCP: {
                if (!inTcpJob()) {
                    throw new IllegalArgumentException("--transport tcp needs RANK, WORLD_SIZE, MASTER_ADDR and"
                            + " MASTER_PORT: start the ranks with 'ringsgd run -np N -- ...'");
                }
                try (Communicator c = connectTcp(config)) {
                    T result = body.apply(c);
                    return c.rank() == 0 ? result : null;
                }
            }
            case MPJ: {
                try (Communicator c = MpjBridge.communicator(config)) {
                    T result = body.apply(c);
                    return c.rank() == 0 ? result : null;
                }
            }
            default:
                throw new IllegalStateException();
        }
    }
}

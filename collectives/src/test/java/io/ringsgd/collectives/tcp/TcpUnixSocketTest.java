package io.ringsgd.collectives.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.testing.RankThreads;
import io.ringsgd.collectives.testing.TcpGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Ranks on one machine reach each other through Unix-domain sockets unless a rank turns them off, in which case its
 * connections are TCP and the others' stay Unix-domain; the socket files are gone once the group is connected.
 */
class TcpUnixSocketTest {
    private static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();

    /** Per rank: for each peer, 1 if reached over a Unix-domain socket, 0 over TCP, -1 itself; then the sum. */
    private static List<int[]> connect(boolean[] unix) {
        int n = unix.length;
        TcpRendezvous master = TcpRendezvous.open(TcpGroup.options(0, n, 0, "s").unixSockets(unix[0]).build());
        int port = master.port();
        List<Object> out = RankThreads.runCatching(n, rank -> () -> {
            TcpRendezvous rv = rank == 0 ? master
                    : TcpRendezvous.open(TcpGroup.options(rank, n, port, "s").unixSockets(unix[rank]).build());
            TcpTransport t = rv.connect(CFG);
            try (Communicator c = new TransportCommunicator(t, CFG)) {
                int[] kinds = new int[n + 1];
                for (int j = 0; j < n; j++) {
                    kinds[j] = j == rank ? -1 : t.unixDomain(j) ? 1 : 0;
                }
                float[] v = {rank + 1f};
                c.allreduce(v, ReduceOp.SUM);
                kinds[n] = (int) v[0];
                return kinds;
            }
        });
        List<int[]> kinds = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof Throwable) {
                throw new AssertionError("a rank failed", (Throwable) o);
            }
            kinds.add((int[]) o);
        }
        return kinds;
    }

    private static long socketDirs() throws Exception {
        try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return s.filter(p -> p.getFileName().toString().startsWith("ringsgd-")).count();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void sameMachinePeersUseUnixSocketsAndLeaveNoFiles() throws Exception {
        long before = socketDirs();
        List<int[]> kinds = connect(new boolean[] {true, true, true});
        for (int r = 0; r < 3; r++) {
            assertThat(kinds.get(r)).as("rank %d", r).containsExactly(r == 0 ? -1 : 1, r == 1 ? -1 : 1,
                    r == 2 ? -1 : 1, 6);
        }
        assertThat(socketDirs()).as("socket directories left in the temporary directory").isLessThanOrEqualTo(before);
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRankWithoutUnixSocketsIsReachedOverTcpAndTheOthersKeepThem() throws Exception {
        List<int[]> kinds = connect(new boolean[] {true, false, true});
        assertThat(kinds.get(0)).containsExactly(-1, 0, 1, 6);
        assertThat(kinds.get(1)).containsExactly(0, -1, 0, 6);
        assertThat(kinds.get(2)).containsExactly(1, 0, -1, 6);
        List<int[]> tcp = connect(new boolean[] {false, false});
        assertThat(tcp.get(0)).containsExactly(-1, 0, 3);
        assertThat(tcp.get(1)).containsExactly(0, -1, 3);
    }

    @Test
    void theEnvironmentVariableTurnsThemOff() {
        java.util.Map<String, String> env = new java.util.HashMap<>(java.util.Map.of("RANK", "0", "WORLD_SIZE", "2",
                "MASTER_ADDR", "127.0.0.1", "MASTER_PORT", "1234"));
        assertThat(TcpOptions.fromEnvironment(env).unixSockets()).isTrue();
        env.put("RINGSGD_UNIX_SOCKETS", "0");
        assertThat(TcpOptions.fromEnvironment(env).unixSockets()).isFalse();
        env.put("RINGSGD_UNIX_SOCKETS", "maybe");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TcpOptions.fromEnvironment(env))
                .hasMessageContaining("RINGSGD_UNIX_SOCKETS must be 1 or 0");
    }
}

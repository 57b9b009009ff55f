package io.ringsgd.collectives.tcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.engine.TransportCommunicator;
import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.RankThreads;
import io.ringsgd.collectives.testing.TcpGroup;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The shared-memory data path of the TCP transport (ranks as threads of this JVM, each mapping its own view of the
 * segments as a process would): every algorithm with rings small enough that large messages wrap and stream through
 * them in pieces, which peers take it, the off switch, and that no segment outlives the rendezvous.
 */
class ShmTransportTest {
    private static final Algorithm[] ALGORITHMS = {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
        Algorithm.RABENSEIFNER, Algorithm.TREE};

    /** Connects n ranks with per-rank options, runs body on each, returns the results (rethrowing a failure). */
    private static <T> List<T> run(int n, CommunicatorConfig cfg, Function<Integer, TcpOptions.Builder> options,
            Function<TcpTransport, Function<Communicator, T>> body) {
        TcpRendezvous master = TcpRendezvous.open(options.apply(0).rank(0).worldSize(n).master("127.0.0.1", 0)
                .build());
        int port = master.port();
        List<Object> out = RankThreads.runCatching(n, rank -> () -> {
            TcpRendezvous rv = rank == 0 ? master
                    : TcpRendezvous.open(options.apply(rank).rank(rank).worldSize(n).master("127.0.0.1", port)
                            .build());
            TcpTransport t = rv.connect(cfg);
            try (Communicator c = new TransportCommunicator(t, cfg)) {
                return body.apply(t).apply(c);
            }
        });
        List<T> results = new ArrayList<>();
        for (Object o : out) {
            if (o instanceof Throwable) {
                throw new AssertionError("a rank failed", (Throwable) o);
            }
            @SuppressWarnings("unchecked")
            T t = (T) o;
            results.add(t);
        }
        return results;
    }

    private static TcpOptions.Builder opts(long ring) {
        return TcpOptions.builder().bindHost("127.0.0.1").secret("shm-test").shmRingBytes(ring);
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4, 5, 6, 7, 8})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void everyAlgorithmThroughSharedMemory(int p) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).segmentBytes(96 << 10)
                .build();
        List<List<String>> failures = run(p, cfg, r -> opts(64 << 10), t -> comm -> {
            List<String> bad = new ArrayList<>();
            for (int j = 0; j < p; j++) {
                if (j != comm.rank() && !t.sharedMemory(j)) {
                    bad.add("rank " + comm.rank() + " reaches rank " + j + " through a socket");
                }
            }
            int r = comm.rank();
            for (Algorithm a : ALGORITHMS) {
                CollectiveOptions o = CollectiveOptions.algorithm(a);
                for (int n : new int[] {0, 1, p - 1, p + 1, 1001, 77_777, (1 << 18) + 3}) {
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX}) {
                        float[] f = Inputs.floats(op, r, n);
                        comm.allreduce(f, 0, n, op, o);
                        int i = Inputs.firstMismatch(f, op, p);
                        if (i >= 0) {
                            bad.add(a + " float " + op + " n=" + n + " rank " + r + " element " + i + " = " + f[i]);
                        }
                    }
                    double[] d = Inputs.doubles(ReduceOp.AVG, r, n);
                    comm.allreduce(d, 0, n, ReduceOp.AVG, o);
                    int i = Inputs.firstMismatch(d, ReduceOp.AVG, p);
                    if (i >= 0) {
                        bad.add(a + " double AVG n=" + n + " rank " + r + " element " + i + " = " + d[i]);
                    }
                }
            }
            // other collectives: broadcast and allgather of odd sizes, bytes and ints (2- and 4-byte alignment)
            for (int n : new int[] {0, 3, 100_001}) {
                byte[] b = new byte[n];
                if (r == p - 1) {
                    for (int k = 0; k < n; k++) {
                        b[k] = (byte) (k * 7 + 1);
                    }
                }
                comm.broadcast(ElementBuffer.of(b), p - 1, CollectiveOptions.DEFAULT);
                for (int k = 0; k < n; k++) {
                    if (b[k] != (byte) (k * 7 + 1)) {
                        bad.add("broadcast n=" + n + " rank " + r + " byte " + k);
                        break;
                    }
                }
                int[] mine = new int[n];
                java.util.Arrays.fill(mine, r + 1);
                int[] all = new int[n * p];
                comm.allgather(ElementBuffer.of(mine), ElementBuffer.of(all), CollectiveOptions.DEFAULT);
                for (int k = 0; k < n * p; k++) {
                    if (all[k] != k / n + 1) {
                        bad.add("allgather n=" + n + " rank " + r + " element " + k + " = " + all[k]);
                        break;
                    }
                }
            }
            comm.barrier();
            return bad;
        });
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    /** Vectors in direct ByteBuffers, and a 4 MiB vector through the default 1 MiB rings. */
    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void directBuffersAndLargeVectors(int p) {
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(60)).build();
        List<List<String>> failures = TcpGroup.run(p, cfg, comm -> {
            List<String> bad = new ArrayList<>();
            for (Algorithm a : ALGORITHMS) {
                for (int n : new int[] {1, 7_001, (1 << 20) + 5}) {
                    ByteBuffer bytes = ByteBuffer.allocateDirect(4 * n + 12).order(ByteOrder.LITTLE_ENDIAN);
                    ElementBuffer v = ElementBuffer.ofBytes(bytes, ElementType.FLOAT, 12, n);
                    float[] in = Inputs.floats(ReduceOp.SUM, comm.rank(), n);
                    ElementBuffer.of(in).copyTo(0, v, 0, n);
                    comm.allreduce(v, v, ReduceOp.SUM, CollectiveOptions.algorithm(a));
                    float[] got = new float[n];
                    v.copyTo(0, ElementBuffer.of(got), 0, n);
                    int i = Inputs.firstMismatch(got, ReduceOp.SUM, p);
                    if (i >= 0) {
                        bad.add(a + " n=" + n + " rank " + comm.rank() + " element " + i + " = " + got[i]);
                    }
                }
            }
            return bad;
        });
        for (List<String> f : failures) {
            assertThat(f).isEmpty();
        }
    }

    /** Segment directories this process owns. */
    private static long segmentDirs() throws Exception {
        String me = Long.toString(ProcessHandle.current().pid());
        try (Stream<Path> s = Files.list(SocketDirectories.sharedMemoryBase())) {
            return s.filter(q -> q.getFileName().toString().startsWith(SocketDirectories.PREFIX)).filter(q -> {
                try {
                    return me.equals(Files.readString(q.resolve(SocketDirectories.OWNER)).trim());
                } catch (java.io.IOException e) {
                    return false;
                }
            }).count();
        }
    }

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void aRankWithSharedMemoryOffKeepsSocketsAndNoSegmentOutlivesTheRendezvous() throws Exception {
        // A directory of a dead job (its owner process is gone) is removed when the next job makes its own.
        Path stale = Files.createTempDirectory(SocketDirectories.sharedMemoryBase(), SocketDirectories.PREFIX);
        Files.writeString(stale.resolve(SocketDirectories.OWNER), "2147483646", StandardCharsets.US_ASCII);
        Files.write(stale.resolve("r0-r1.shm"), new byte[4096]);
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(30)).build();
        boolean[] shm = {true, false, true, true};
        List<int[]> kinds = run(4, cfg, r -> opts(1 << 20).sharedMemory(shm[r]), t -> comm -> {
            int[] k = new int[5];
            for (int j = 0; j < 4; j++) {
                k[j] = j == comm.rank() ? -1 : t.sharedMemory(j) ? 2 : t.unixDomain(j) ? 1 : 0;
            }
            float[] v = {comm.rank() + 1f};
            comm.allreduce(v, ReduceOp.SUM);
            k[4] = (int) v[0];
            return k;
        });
        assertThat(kinds.get(0)).containsExactly(-1, 1, 2, 2, 10);
        assertThat(kinds.get(1)).containsExactly(1, -1, 1, 1, 10);
        assertThat(kinds.get(2)).containsExactly(2, 1, -1, 2, 10);
        assertThat(kinds.get(3)).containsExactly(2, 1, 2, -1, 10);
        assertThat(Files.exists(stale)).as("the dead job's segment directory").isFalse();
        assertThat(segmentDirs()).as("segment directories left in " + SocketDirectories.sharedMemoryBase()).isZero();
    }

    @Test
    void theEnvironmentVariableTurnsItOff() {
        Map<String, String> env = new HashMap<>(Map.of("RANK", "0", "WORLD_SIZE", "2", "MASTER_ADDR", "127.0.0.1",
                "MASTER_PORT", "1234"));
        assertThat(TcpOptions.fromEnvironment(env).sharedMemory()).isTrue();
        env.put("RINGSGD_SHM", "0");
        assertThat(TcpOptions.fromEnvironment(env).sharedMemory()).isFalse();
        env.put("RINGSGD_SHM_RING", "256k");
        assertThat(TcpOptions.fromEnvironment(env).shmRingBytes()).isEqualTo(256 << 10);
        env.put("RINGSGD_SHM", "perhaps");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> TcpOptions.fromEnvironment(env))
                .hasMessageContaining("RINGSGD_SHM must be 1 or 0");
    }

    /** Segments live in a 0700 directory, as 0600 files, and a peer refuses a file whose cookie differs. */
    @Test
    void segmentsArePrivateAndCheckedByTheirCookie() throws Exception {
        Path dir = SocketDirectories.create(SocketDirectories.sharedMemoryBase());
        try {
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
                    .isEqualTo("rwx------");
            ShmLink.Offer offer = ShmLink.create(dir, 0, 1, 64 << 10);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(offer.file()))).isEqualTo("rw-------");
            ShmLink other = ShmLink.open(offer.file(), offer.cookie(), 64 << 10);
            byte[] wrong = offer.cookie().clone();
            wrong[0] ^= 1;
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> ShmLink.open(offer.file(), wrong, 64 << 10))
                    .hasMessageContaining("not the segment");
            // a byte written into one end comes out of the other
            ByteBuffer b = ByteBuffer.allocate(8).putLong(0, 42);
            offer.link().out.putWrapped(b, 0, 8);
            offer.link().out.publish();
            assertThat(other.in.readable()).isEqualTo(8);
            ByteBuffer got = ByteBuffer.allocate(8);
            other.in.peek(0, got, 8);
            assertThat(got.getLong(0)).isEqualTo(42);
            Files.delete(offer.file());
        } finally {
            Files.deleteIfExists(dir.resolve(SocketDirectories.OWNER));
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void ringCapacityIsRounded() {
        assertThat(ShmLink.ringCapacity(1)).isEqualTo(64 << 10);
        assertThat(ShmLink.ringCapacity((1 << 20) + 1)).isEqualTo((1 << 20) + 4096);
    }
}

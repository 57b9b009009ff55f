package io.ringsgd.launch.mpj;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real MPJ Express jobs, started by launch/bin/ringsgd-mpjrun: every ringsgd algorithm and MPJ's own Allreduce give
 * the exact sum (the bench checks each result against the serial reference) in multicore and niodev mode for
 * P = 2, 3, 4; and a rank killed in a niodev job makes every survivor fail naming it, instead of hanging.
 */
class MpjIT {
    private static final List<String> BENCH = List.of("bench", "allreduce", "--transport", "mpj", "--algorithm",
            "all", "--bytes", "8,1000,100003", "--iters", "2", "--warmup", "1", "--json");

    private static void assertAllCorrect(MpjJobs.Result r, int np) {
        assertThat(r.status()).as(r.output()).isZero();
        List<String> rows = r.output().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(rows).as(r.output()).hasSize(5 * 3);
        for (String row : rows) {
            assertThat(row).contains("\"transport\":\"mpj\",\"np\":" + np).contains("\"correct\":true");
        }
        assertThat(String.join("\n", rows)).contains("\"algorithm\":\"mpj-native\"").contains("\"algorithm\":\"ring\"")
                .contains("\"algorithm\":\"rabenseifner\"").contains("\"algorithm\":\"recursive-doubling\"")
                .contains("\"algorithm\":\"tree\"");
    }

    @ParameterizedTest(name = "multicore P={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void multicoreAllreduceIsExact(int np) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("-np", Integer.toString(np), "--"));
        args.addAll(BENCH);
        // Small segments so that the pipelined ring runs several segments per chunk over MPJ (niodev below keeps
        // MPJ's default of 1 MiB).
        args.addAll(List.of("--segment", "16k"));
        assertAllCorrect(MpjJobs.run(args, 100), np);
    }

    @ParameterizedTest(name = "multicore P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void multicoreGatherScatterAlltoallAndAllgathervAreExact(int np) throws Exception {
        for (String c : new String[] {"gather", "scatter", "alltoall", "allgatherv"}) {
            List<String> args = new java.util.ArrayList<>(List.of("-np", Integer.toString(np), "--", "bench", c,
                    "--transport", "mpj", "--algorithm", "all", "--bytes", "12,100003", "--iters", "2", "--warmup",
                    "1", "--type", c.equals("alltoall") ? "long" : "int", "--json"));
            MpjJobs.Result r = MpjJobs.run(args, 100);
            assertThat(r.status()).as(r.output()).isZero();
            List<String> rows = r.output().lines().filter(l -> l.startsWith("{")).toList();
            assertThat(rows).as(r.output()).hasSize(c.equals("allgatherv") ? 2 : 4);
            for (String row : rows) {
                assertThat(row).contains("\"transport\":\"mpj\",\"np\":" + np).contains("\"correct\":true");
            }
        }
    }

    @ParameterizedTest(name = "niodev P={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void niodevAllreduceIsExact(int np) throws Exception {
        try (MpjJobs.Daemon d = new MpjJobs.Daemon()) {
            List<String> args = new java.util.ArrayList<>(List.of("-np", Integer.toString(np), "-dev", "niodev",
                    "-dport", Integer.toString(d.port), "--"));
            args.addAll(BENCH);
            assertAllCorrect(MpjJobs.run(args, 120), np);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aKilledRankIsNamedByTheSurvivors() throws Exception {
        int victim = 1;
        try (MpjJobs.Daemon d = new MpjJobs.Daemon()) {
            Process job = MpjJobs.builder(List.of("-np", "3", "-dev", "niodev", "-dport", Integer.toString(d.port),
                    "--", "bench", "allreduce", "--transport", "mpj", "--bytes", "64k", "--iters", "10000000",
                    "--warmup", "0")).start();
            Path out = Files.createTempFile("mpj-kill", ".out");
            Thread pump = MpjJobs.pumpTo(job, out);
            ProcessHandle rank = awaitRank(d, victim);
            // Kill it once every rank has finished setting up (rank 0 says so after a barrier) and is in its
            // AllReduces, not while MPJ Express is still connecting the processes.
            awaitLine(out, "ranks joined over MPJ Express");
            Thread.sleep(1000);
            rank.destroyForcibly();
            boolean ended = job.waitFor(120, TimeUnit.SECONDS);
            pump.join(5000);
            String text = Files.readString(out);
            assertThat(ended).as("the survivors fail instead of hanging:\n%s", text).isTrue();
            assertThat(job.exitValue()).as(text).isEqualTo(3);
            long survivorsNamingIt = text.lines().filter(l -> l.startsWith("ringsgd: rank " + victim + " stalled"))
                    .count();
            assertThat(survivorsNamingIt).as(text).isEqualTo(2);
        }
    }

    private static void awaitLine(Path out, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.readString(out).contains(text)) {
            assertThat(System.nanoTime()).as("'%s' in the job's output:%n%s", text, Files.readString(out))
                    .isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    /**
     * Issue 12 item 4 over MPJ Express: ranks that disagree on their very first collective (rank 2 broadcasts while
     * the others allreduce; rank 2 forces the ring while the others force recursive doubling) are all told
     * CollectiveMismatchException where the first messages meet, long before their 600 s failure timeout.
     */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"kind", "algorithm"})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void ranksThatDisagreeOnTheirFirstCollectiveAreToldAMismatch(String what) throws Exception {
        try (MpjJobs.Daemon d = new MpjJobs.Daemon()) {
            MpjJobs.Result r = MpjJobs.run(MpjJobs.mainBuilder(d, 3, MpjMismatchMain.class.getName(), List.of(what)),
                    what, 120);
            List<String> results = r.output().lines().filter(l -> l.startsWith("RESULT")).sorted().toList();
            assertThat(results).as(r.output()).hasSize(3);
            for (String line : results) {
                assertThat(line).as(r.output()).contains("CollectiveMismatchException");
            }
        }
    }

    /**
     * Issue 18's collectives over MPJ Express niodev: integer ops, scan, exscan, the v-forms, MINLOC, a
     * non-commutative user reduction and non-blocking forms give the serial references on every rank; dup is refused.
     */
    @ParameterizedTest(name = "niodev P={0}")
    @ValueSource(ints = {3, 4})
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void niodevRunsTheRestOfTheCollectives(int np) throws Exception {
        try (MpjJobs.Daemon d = new MpjJobs.Daemon()) {
            MpjJobs.Result r = MpjJobs.run(MpjJobs.mainBuilder(d, np, MpjCollectivesMain.class.getName(), List.of()),
                    "collectives", 120);
            List<String> results = r.output().lines().filter(l -> l.startsWith("RESULT")).sorted().toList();
            assertThat(results).as(r.output()).hasSize(np);
            for (String line : results) {
                assertThat(line).as(r.output()).endsWith(" ok");
            }
        }
    }

    /** The process of {@code rank} of a niodev job started through daemon {@code d}. */
    private static ProcessHandle awaitRank(MpjJobs.Daemon d, int rank) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Optional<ProcessHandle> p = d.process.descendants().filter(h -> h.info().arguments()
                    .map(a -> isRank(a, rank)).orElse(false)).findFirst();
            if (p.isPresent()) {
                return p.get();
            }
            Thread.sleep(200);
        }
        throw new AssertionError("rank " + rank + " never started");
    }

    private static boolean isRank(String[] args, int rank) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i + 1].equals("io.ringsgd.launch.Main") && args[i].equals(Integer.toString(rank))) {
                return true;
            }
        }
        return false;
    }
}

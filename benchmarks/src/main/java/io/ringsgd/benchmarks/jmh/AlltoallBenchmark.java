package io.ringsgd.benchmarks.jmh;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * All-to-all (pairwise exchange and Bruck) and the v-forms (allgatherv, gatherv, scatterv, alltoallv with uneven
 * blocks) per message size, on the in-JVM transport and TCP loopback (ranks as threads of the benchmark JVM). The size
 * is what each rank sends in all (all-to-all) or the whole gathered vector (the v-forms); time per operation as seen
 * by rank 0.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar AlltoallBenchmark -p transport=tcp -p bytes=4194304</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AlltoallBenchmark {

    @Param({"local", "tcp"})
    public String transport;

    @Param({"alltoall-pairwise", "alltoall-bruck", "allgatherv", "gatherv", "scatterv", "alltoallv"})
    public String collective;

    @Param({"1024", "65536", "4194304"})
    public int bytes;

    @Param({"4"})
    public int ranks;

    private RankGroup group;
    private Runnable rank0;

    @Setup(Level.Trial)
    public void setUp() {
        group = RankGroup.of(transport, ranks);
        int block = Math.max(1, bytes / 4 / ranks);
        int[] counts = new int[ranks];
        for (int q = 0; q < ranks; q++) {
            // Uneven blocks: from about half to about one and a half times the even share.
            counts[q] = Math.max(0, block + (2 * q - (ranks - 1)) * block / (2 * ranks));
        }
        rank0 = group.startEach(c -> operation(c, block, counts));
    }

    /** Rank {@code c}'s collective, with buffers of its own, sliced once. */
    private Runnable operation(Communicator c, int block, int[] counts) {
        int r = c.rank();
        int total = block * ranks;
        int sum = 0;
        for (int x : counts) {
            sum += x;
        }
        int[] fromEach = new int[ranks];
        java.util.Arrays.fill(fromEach, counts[r]);
        ElementBuffer blocks = ElementBuffer.allocate(ElementType.FLOAT, total);
        ElementBuffer blocksOut = ElementBuffer.allocate(ElementType.FLOAT, total);
        ElementBuffer all = ElementBuffer.allocate(ElementType.FLOAT, sum);
        ElementBuffer mine = ElementBuffer.allocate(ElementType.FLOAT, counts[r]);
        ElementBuffer received = ElementBuffer.allocate(ElementType.FLOAT, counts[r] * ranks);
        CollectiveOptions o = CollectiveOptions.DEFAULT;
        switch (collective) {
            case "alltoall-pairwise":
                CollectiveOptions pw = CollectiveOptions.algorithm(Algorithm.PAIRWISE);
                return () -> c.alltoall(blocks, blocksOut, pw);
            case "alltoall-bruck":
                CollectiveOptions br = CollectiveOptions.algorithm(Algorithm.BRUCK);
                return () -> c.alltoall(blocks, blocksOut, br);
            case "allgatherv":
                return () -> c.allgatherv(mine, all, counts, null, o);
            case "gatherv":
                return () -> c.gatherv(mine, r == 0 ? all : null, counts, null, 0, o);
            case "scatterv":
                return () -> c.scatterv(r == 0 ? all : null, counts, null, mine, 0, o);
            default:
                // Rank r sends counts[q] to rank q and so receives counts[r] from everyone.
                return () -> c.alltoallv(all, counts, null, received, fromEach, null, o);
        }
    }

    @Benchmark
    public Communicator collective() {
        rank0.run();
        return group.rank0();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        group.close();
    }
}

package io.ringsgd.benchmarks.jmh;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.UserReduction;
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
 * MINLOC and user reductions per vector size: allreduceLoc of float values (one AllReduce of packed pairs) against
 * double values (two AllReduces), and a commutative user reduction (int XOR written as a Java function) on the ring,
 * recursive doubling and the tree, beside the built-in BXOR on the ring. In-JVM or TCP loopback, ranks as threads of
 * the benchmark JVM; the size is the values' bytes; time per operation as seen by rank 0.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar LocAndUserReductionBenchmark -p transport=local -p bytes=4194304</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class LocAndUserReductionBenchmark {
    /** XOR through the element accessors every user function has. */
    private static final UserReduction XOR = UserReduction.commutative("xor", (in, io, out, oo, n) -> {
        for (int i = 0; i < n; i++) {
            out.setLong(oo + i, in.getLong(io + i) ^ out.getLong(oo + i));
        }
    });

    @Param({"local", "tcp"})
    public String transport;

    @Param({"minloc-float", "minloc-double", "user-xor-ring", "user-xor-recursive-doubling", "user-xor-tree",
        "builtin-bxor-ring"})
    public String collective;

    @Param({"1024", "4194304"})
    public int bytes;

    @Param({"4"})
    public int ranks;

    private RankGroup group;
    private Runnable rank0;

    @Setup(Level.Trial)
    public void setUp() {
        group = RankGroup.of(transport, ranks);
        rank0 = group.startEach(this::operation);
    }

    /** Rank {@code c}'s collective, on buffers of its own. */
    private Runnable operation(Communicator c) {
        int r = c.rank();
        int n = bytes / 4;
        int[] ints = new int[n];
        for (int i = 0; i < n; i++) {
            ints[i] = r * 31 + i;
        }
        ElementBuffer words = ElementBuffer.of(ints);
        ElementBuffer indices = ElementBuffer.of(new int[n]);
        switch (collective) {
            case "minloc-float":
                ElementBuffer floats = ElementBuffer.allocate(ElementType.FLOAT, n);
                return () -> c.allreduceLoc(floats, indices, ReduceOp.MINLOC, CollectiveOptions.DEFAULT);
            case "minloc-double":
                ElementBuffer doubles = ElementBuffer.allocate(ElementType.DOUBLE, n);
                return () -> c.allreduceLoc(doubles, indices, ReduceOp.MINLOC, CollectiveOptions.DEFAULT);
            case "builtin-bxor-ring":
                CollectiveOptions ring = CollectiveOptions.algorithm(Algorithm.RING);
                return () -> c.allreduce(null, words, ReduceOp.BXOR, ring);
            default:
                CollectiveOptions o = CollectiveOptions.algorithm(Algorithm.parse(
                        collective.substring("user-xor-".length())));
                return () -> c.allreduce(null, words, XOR, o);
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

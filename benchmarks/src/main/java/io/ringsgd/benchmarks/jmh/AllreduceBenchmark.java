package io.ringsgd.benchmarks.jmh;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
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
 * AllReduce (float SUM, out of place) per algorithm × message size × group size, on the in-JVM transport and on TCP
 * loopback (ranks as threads of the benchmark JVM). Time per operation as seen by rank 0.
 *
 * <pre>java -jar benchmarks/target/benchmarks.jar AllreduceBenchmark -p transport=tcp -p ranks=4 -p bytes=4194304</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class AllreduceBenchmark {

    @Param({"local", "tcp"})
    public String transport;

    @Param({"ring", "recursive-doubling", "rabenseifner", "tree"})
    public String algorithm;

    @Param({"8", "65536", "4194304"})
    public int bytes;

    @Param({"4"})
    public int ranks;

    private RankGroup group;
    private ElementBuffer send;
    private ElementBuffer recv;
    private CollectiveOptions options;

    @Setup(Level.Trial)
    public void setUp() {
        group = RankGroup.of(transport, ranks);
        options = CollectiveOptions.algorithm(Algorithm.parse(algorithm));
        int n = Math.max(1, bytes / 4);
        send = ElementBuffer.of(new float[n]);
        recv = ElementBuffer.of(new float[n]);
        group.start(c -> {
            ElementBuffer s = ElementBuffer.of(new float[n]);
            ElementBuffer r = ElementBuffer.of(new float[n]);
            c.allreduce(s, r, ReduceOp.SUM, options);
        });
    }

    @Benchmark
    public ElementBuffer allreduce() {
        Communicator c = group.rank0();
        c.allreduce(send, recv, ReduceOp.SUM, options);
        return recv;
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        group.close();
    }
}

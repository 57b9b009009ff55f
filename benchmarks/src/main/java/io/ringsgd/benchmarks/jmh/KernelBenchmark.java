package io.ringsgd.benchmarks.jmh;

import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.codec.Codec;
import io.ringsgd.collectives.codec.Codecs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The reduction kernels alone, on one core: array ← array (the in-JVM path), array ← little-endian staging buffer
 * (the TCP receive path), the three-operand combine of the out-of-place ring, and the fp16 / int8 / 2bit / 1bit /
 * ternary codecs (the low-bit ones decode from a wire they encoded in set-up, as the encoded all-gather does; ternary
 * at its default threshold, which on these normal values sends about 4.6 % of the elements).
 * Throughput in operations per second; bytes per second = ops/s × n × 4.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class KernelBenchmark {

    @Param({"262144"})
    public int n;

    private ElementBuffer a;
    private ElementBuffer b;
    private ElementBuffer c;
    private ElementBuffer staged;
    private float[] floats;
    private ByteBuffer wire;
    private Codec fp16;
    private Codec int8;
    private float[] lost;
    private Codec oneBit;
    private Codec twoBit;
    private ByteBuffer oneBitWire;
    private ByteBuffer twoBitWire;
    private Codec ternary;
    private ByteBuffer ternaryWire;

    @Setup
    public void setUp() {
        Random rnd = new Random(1);
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            // Gradient-like: centred, both signs, a spread of magnitudes.
            x[i] = (float) (rnd.nextGaussian() * 1e-3);
            y[i] = (float) (rnd.nextGaussian() * 1e-3);
        }
        floats = x;
        a = ElementBuffer.of(x);
        b = ElementBuffer.of(y);
        c = ElementBuffer.of(new float[n]);
        ByteBuffer bb = ByteBuffer.allocateDirect(4 * n).order(ByteOrder.LITTLE_ENDIAN);
        staged = ElementBuffer.ofBytes(bb, ElementType.FLOAT, 0, n);
        a.copyTo(0, staged, 0, n);
        wire = ByteBuffer.allocateDirect(4 * n + 64).order(ByteOrder.LITTLE_ENDIAN);
        fp16 = Codecs.create(Compression.FP16);
        int8 = Codecs.create(Compression.INT8);
        lost = new float[n];
        oneBit = Codecs.create(Compression.ONE_BIT);
        twoBit = Codecs.create(Compression.TWO_BIT);
        oneBitWire = ByteBuffer.allocateDirect(oneBit.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        twoBitWire = ByteBuffer.allocateDirect(twoBit.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        oneBit.encode(floats, 0, n, oneBitWire, 0);
        twoBit.encode(floats, 0, n, twoBitWire, 0);
        ternary = Codecs.create(Compression.TERNARY);
        ternaryWire = ByteBuffer.allocateDirect(ternary.encodedBytes(n)).order(ByteOrder.LITTLE_ENDIAN);
        ternary.encode(floats, 0, n, ternaryWire, 0);
    }

    @Benchmark
    public ByteBuffer encodeTernary() {
        ternary.encode(floats, 0, n, ternaryWire, 0);
        return ternaryWire;
    }

    @Benchmark
    public ByteBuffer encodeTernaryWithErrorSink() {
        ternary.encode(floats, 0, n, ternaryWire, 0, lost, 0);
        return ternaryWire;
    }

    @Benchmark
    public float[] decodeAddTernary() {
        ternary.decode(ternaryWire, 0, c.floatArray(), 0, n, true);
        return c.floatArray();
    }

    @Benchmark
    public ElementBuffer sumArrayIntoArray() {
        a.reduceInto(0, b, 0, n, ReduceOp.SUM, true);
        return b;
    }

    @Benchmark
    public ElementBuffer sumStagingIntoArray() {
        staged.reduceInto(0, b, 0, n, ReduceOp.SUM, true);
        return b;
    }

    @Benchmark
    public ElementBuffer combineStagingAndArrayIntoArray() {
        staged.combineInto(0, a, 0, c, 0, n, ReduceOp.SUM);
        return c;
    }

    @Benchmark
    public ElementBuffer copyArrayToStaging() {
        a.copyTo(0, staged, 0, n);
        return staged;
    }

    @Benchmark
    public ByteBuffer encodeInt8() {
        int8.encode(floats, 0, n, wire, 0);
        return wire;
    }

    @Benchmark
    public float[] decodeAddInt8() {
        int8.decode(wire, 0, c.floatArray(), 0, n, true);
        return c.floatArray();
    }

    /** As the compressed ring encodes with error feedback: what is dropped is added to a residual. */
    @Benchmark
    public ByteBuffer encodeInt8WithErrorSink() {
        int8.encode(floats, 0, n, wire, 0, lost, 0);
        return wire;
    }

    @Benchmark
    public ByteBuffer encodeFp16() {
        fp16.encode(floats, 0, n, wire, 0);
        return wire;
    }

    @Benchmark
    public float[] decodeAddFp16() {
        fp16.decode(wire, 0, c.floatArray(), 0, n, true);
        return c.floatArray();
    }

    @Benchmark
    public ByteBuffer encodeOneBit() {
        oneBit.encode(floats, 0, n, oneBitWire, 0);
        return oneBitWire;
    }

    /** As the encoded all-gather encodes with error feedback. */
    @Benchmark
    public ByteBuffer encodeOneBitWithErrorSink() {
        oneBit.encode(floats, 0, n, oneBitWire, 0, lost, 0);
        return oneBitWire;
    }

    @Benchmark
    public float[] decodeAddOneBit() {
        oneBit.decode(oneBitWire, 0, c.floatArray(), 0, n, true);
        return c.floatArray();
    }

    @Benchmark
    public ByteBuffer encodeTwoBit() {
        twoBit.encode(floats, 0, n, twoBitWire, 0);
        return twoBitWire;
    }

    /** As the encoded all-gather encodes with error feedback. */
    @Benchmark
    public ByteBuffer encodeTwoBitWithErrorSink() {
        twoBit.encode(floats, 0, n, twoBitWire, 0, lost, 0);
        return twoBitWire;
    }

    @Benchmark
    public float[] decodeAddTwoBit() {
        twoBit.decode(twoBitWire, 0, c.floatArray(), 0, n, true);
        return c.floatArray();
    }
}

package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.HierarchicalAllreduce;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Times AllReduce on a communicator the way nccl-tests and the Open MPI anchor do: out of place, after warm-up,
 * each iteration timed on every rank, the time of an iteration being its slowest rank's. Every rank calls
 * {@link #run} and gets the same results; the result is then checked against the exact expected sum
 * (within the codec's error bound when the traffic is compressed) and for identical bits on every rank.
 */
public final class AllreduceBench {

    /**
     * One measured size: times in microseconds, bandwidths in GB/s (10^9 bytes), and the CPU time all ranks' processes
     * spent per operation during the timed loop (every thread: the callers, progress threads, GC), in milliseconds.
     */
    public record Result(String transport, int np, String algorithm, long bytes, int iters, double medianUs,
            double minUs, double meanUs, double algbwGbps, double busbwGbps, boolean correct, double cpuMsPerOp) {

        /** One JSON object (the {@code --json} format). */
        public String toJson() {
            return String.format(Locale.ROOT, "{\"transport\":\"%s\",\"np\":%d,\"algorithm\":\"%s\",\"bytes\":%d,"
                    + "\"iters\":%d,\"median_us\":%.2f,\"min_us\":%.2f,\"mean_us\":%.2f,\"algbw_gbps\":%.4f,"
                    + "\"busbw_gbps\":%.4f,\"correct\":%s,\"cpu_ms_per_op\":%.4f}", transport, np, algorithm, bytes,
                    iters, medianUs, minUs, meanUs, algbwGbps, busbwGbps, correct, cpuMsPerOp);
        }
    }

    private AllreduceBench() {
    }

    /**
     * Measures every size in {@code sizes} (bytes, rounded down to whole elements, at least one) with
     * {@code algorithm} (AUTO: the table's choice, reported by name).
     */
    public static List<Result> run(Communicator c, List<Long> sizes, Algorithm algorithm, CollectiveOptions base,
            ElementType type, int iters, int warmup) {
        return run(c, sizes, algorithm, base, type, iters, warmup, false);
    }

    /**
     * As above; with {@code direct} the vectors live in direct little-endian ByteBuffers
     * ({@link ElementBuffer#ofBytes}), which the TCP transport reads and writes without staging copies.
     */
    public static List<Result> run(Communicator c, List<Long> sizes, Algorithm algorithm, CollectiveOptions base,
            ElementType type, int iters, int warmup, boolean direct) {
        return run(c, sizes, algorithm, base, type, iters, warmup, direct, null);
    }

    /**
     * As {@link #run(Communicator, List, Algorithm, CollectiveOptions, ElementType, int, int, boolean)}, through
     * {@code hierarchy} when it is not null (each operation copies the send vector into the result, then reduces it in
     * place through the hierarchy; reported as "hierarchical").
     */
    public static List<Result> run(Communicator c, List<Long> sizes, Algorithm algorithm, CollectiveOptions base,
            ElementType type, int iters, int warmup, boolean direct, HierarchicalAllreduce hierarchy) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iters must be >= 1 and --warmup >= 0");
        }
        List<Result> out = new ArrayList<>();
        CollectiveOptions opts = base.withAlgorithm(algorithm);
        int p = c.size();
        double sharing = ranksInThisProcess(c);
        for (long bytes : sizes) {
            int n = (int) Math.max(1, bytes / type.bytes());
            long realBytes = (long) n * type.bytes();
            ElementBuffer send;
            ElementBuffer recv;
            if (direct) {
                send = ElementBuffer.ofBytes(java.nio.ByteBuffer.allocateDirect((int) realBytes), type, 0, n);
                recv = ElementBuffer.ofBytes(java.nio.ByteBuffer.allocateDirect((int) realBytes), type, 0, n);
                for (int i = 0; i < n; i++) {
                    send.set(i, (c.rank() + 1) + (i % 13));
                }
            } else if (type == ElementType.DOUBLE) {
                double[] s = new double[n];
                for (int i = 0; i < n; i++) {
                    s[i] = (c.rank() + 1) + (i % 13);
                }
                send = ElementBuffer.of(s);
                recv = ElementBuffer.of(new double[n]);
            } else {
                float[] s = new float[n];
                for (int i = 0; i < n; i++) {
                    s[i] = (c.rank() + 1) + (i % 13);
                }
                send = ElementBuffer.of(s);
                recv = ElementBuffer.of(new float[n]);
            }
            ElementBuffer in = send;
            ElementBuffer out2 = recv;
            int count = n;
            Runnable op = hierarchy == null ? () -> c.allreduce(in, out2, ReduceOp.SUM, opts) : () -> {
                in.copyTo(0, out2, 0, count);
                hierarchy.allreduce(out2, ReduceOp.SUM);
            };
            for (int i = 0; i < warmup; i++) {
                op.run();
            }
            c.barrier();
            double[] t = new double[iters];
            long cpuStart = processCpuNanos();
            long loopStart = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                op.run();
                t[i] = (System.nanoTime() - t0) / 1e3;
            }
            double[] loop = {(System.nanoTime() - loopStart) / 1e3 / iters};
            double[] cpu = {(processCpuNanos() - cpuStart) / 1e6 / iters / sharing};
            // Exact sums, or within the codec's error when the traffic is compressed; and the same bits on every
            // rank in both cases (compared through a hash of the bits, the same on all ranks only if they agree).
            double base0 = p * (p + 1) / 2.0;
            double tol = tolerance(opts.compression(), p, base0 + p * 12);
            boolean ok = true;
            long hash = 1;
            for (int i = 0; i < n; i++) {
                double v = recv.get(i);
                ok &= Math.abs(v - (base0 + p * (i % 13))) <= tol;
                hash = 31 * hash + Double.doubleToRawLongBits(v);
            }
            double h = (double) (hash & ((1L << 52) - 1));
            double[] flags = {ok ? 1 : 0, h, -h};
            // The slowest rank defines each iteration, the loop mean and correctness.
            c.allreduce(t, ReduceOp.MAX);
            c.allreduce(loop, ReduceOp.MAX);
            c.allreduce(flags, ReduceOp.MIN);
            c.allreduce(cpu, ReduceOp.SUM);
            boolean correct = flags[0] == 1 && flags[1] == -flags[2];
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2;
            double algbw = realBytes / (median * 1e-6) / 1e9;
            Algorithm used = c.allreduceAlgorithm(realBytes, opts);
            String name = hierarchy != null ? "hierarchical"
                    : used == Algorithm.NATIVE ? c.transportName() + "-native" : used.cliName();
            out.add(new Result(c.transportName(), p, name, realBytes,
                    iters, median, sorted[0], loop[0], algbw, algbw * 2.0 * (p - 1) / p, correct, cpu[0]));
        }
        return out;
    }

    /** How many ranks of {@code c} run in this process (threads of one JVM share its CPU time). */
    static double ranksInThisProcess(Communicator c) {
        double[] pids = new double[c.size()];
        pids[c.rank()] = ProcessHandle.current().pid();
        c.allreduce(pids, ReduceOp.SUM);
        double mine = pids[c.rank()];
        return Arrays.stream(pids).filter(x -> x == mine).count();
    }

    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() : 0;
    }

    /**
     * How far a compressed AllReduce of values at most {@code max} in magnitude may be from the exact sum: each of the
     * P requantizations of the ring (P−1 partial sums, one final chunk) errs by at most half a step, a step being
     * max/127 for int8 and 2^-10 of the value for fp16. The low-bit formats encode each rank's vector once, and an
     * element's level has its sign and a magnitude within [0, max], so each of the P encodings errs by at most max.
     * Uncompressed sums must be exact.
     */
    static double tolerance(Compression compression, int p, double max) {
        switch (compression) {
            case INT8:
                return p * max / 127 / 2;
            case FP16:
                return p * max * 0x1p-11;
            case TWO_BIT:
            case ONE_BIT:
            case TERNARY:
                return p * max;
            default:
                return 0;
        }
    }

    /**
     * Runs AllReduces of a small and a large vector for at least {@code seconds} (rank 0's clock, agreed on by all
     * ranks every 64 iterations) so that the JIT has compiled the paths the measurement takes: without it, small
     * messages are timed in interpreted or C1 code.
     */
    public static void warmUpJit(Communicator c, List<Long> sizes, Algorithm algorithm, CollectiveOptions base,
            double seconds) {
        if (seconds <= 0) {
            return;
        }
        CollectiveOptions opts = base.withAlgorithm(algorithm);
        long largest = sizes.stream().mapToLong(Long::longValue).max().orElse(8);
        float[] small = new float[2];
        float[] large = new float[(int) Math.min(largest / 4, 1 << 18)];
        long end = System.nanoTime() + (long) (seconds * 1e9);
        double[] more = {1};
        while (more[0] > 0) {
            for (int i = 0; i < 64; i++) {
                c.allreduce(small, 0, small.length, ReduceOp.SUM, opts);
                if (i % 8 == 0 && large.length > 0) {
                    c.allreduce(large, 0, large.length, ReduceOp.SUM, opts);
                }
            }
            more[0] = c.rank() == 0 && System.nanoTime() < end ? 1 : 0;
            c.allreduce(more, ReduceOp.MAX);
        }
    }

    /** The text table of results. */
    public static String table(List<Result> results) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "%12s %20s %12s %12s %12s %12s %12s %10s %8s%n", "bytes", "algorithm",
                "median_us", "min_us", "mean_us", "algbw_GB/s", "busbw_GB/s", "cpu_ms/op", "correct"));
        for (Result r : results) {
            sb.append(String.format(Locale.ROOT, "%12d %20s %12.1f %12.1f %12.1f %12.3f %12.3f %10.3f %8s%n",
                    r.bytes(), r.algorithm(), r.medianUs(), r.minUs(), r.meanUs(), r.algbwGbps(), r.busbwGbps(),
                    r.cpuMsPerOp(), r.correct() ? "yes" : "NO"));
        }
        return sb.toString();
    }
}

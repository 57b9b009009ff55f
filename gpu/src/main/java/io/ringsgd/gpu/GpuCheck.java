package io.ringsgd.gpu;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.ReduceOp;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * The self-test behind {@code ringsgd gpu-check}: finds the device, runs the device AllReduce on an in-JVM group of
 * ranks that share it, compares every result with the host ring AllReduce of the same data (maximum absolute
 * difference, and whether the bits are identical on every rank) and reports the time and bandwidth. Without a usable
 * GPU it says so and why, and succeeds; {@link #hostFallback(boolean)} then runs the same check on the host device,
 * which exercises the whole pipeline without a GPU.
 *
 * <pre>
 *   int exit = new GpuCheck().ranks(4).run(System.out);
 * </pre>
 */
public final class GpuCheck {
    private int ranks = 2;
    private int[] sizes;
    private int iterations = 5;
    private int segmentBytes = 256 << 10;
    private int depth = DeviceAllreduce.DEFAULT_DEPTH;
    private boolean hostFallback;
    private Duration timeout = Duration.ofSeconds(120);

    /** Ranks in the in-JVM group, all using the one device (default 2). */
    public GpuCheck ranks(int n) {
        if (n < 1 || n > 64) {
            throw new IllegalArgumentException("ranks must be between 1 and 64, got " + n);
        }
        this.ranks = n;
        return this;
    }

    /** Element counts to check (default 1, 1000, one segment per rank ± 1, 1 Mi and 4 Mi floats). */
    public GpuCheck sizes(int... counts) {
        if (counts == null || counts.length == 0) {
            throw new IllegalArgumentException("sizes: give at least one element count");
        }
        for (int c : counts) {
            if (c < 0) {
                throw new IllegalArgumentException("sizes must be >= 0, got " + c);
            }
        }
        this.sizes = counts.clone();
        return this;
    }

    /** Timed repetitions per size (default 5; the median is reported). */
    public GpuCheck iterations(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("iterations must be >= 1, got " + n);
        }
        this.iterations = n;
        return this;
    }

    /** Pipeline segment size in bytes (1 KiB to 64 MiB, default 256 KiB). */
    public GpuCheck segmentBytes(int bytes) {
        if (bytes < 1024 || bytes > (64 << 20)) {
            throw new IllegalArgumentException("segment size must be between 1k and 64m bytes, got " + bytes);
        }
        this.segmentBytes = bytes;
        return this;
    }

    /** Segments in flight each way (default {@link DeviceAllreduce#DEFAULT_DEPTH}). */
    public GpuCheck depth(int d) {
        if (d < 2 || d > 64) {
            throw new IllegalArgumentException("depth must be between 2 and 64, got " + d);
        }
        this.depth = d;
        return this;
    }

    /** Without a GPU, check the host device instead of stopping (default false). */
    public GpuCheck hostFallback(boolean on) {
        this.hostFallback = on;
        return this;
    }

    /** How long a rank may wait for another before the check fails (default 120 s). */
    public GpuCheck timeout(Duration t) {
        if (t == null || t.isNegative() || t.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, got " + t);
        }
        this.timeout = t;
        return this;
    }

    /**
     * Runs the check and prints the report to {@code out}. Returns 0 when every result equals the host AllReduce bit
     * for bit on every rank, or when there is no GPU (and no host fallback); 1 when a result differs, a rank fails,
     * or the CUDA libraries are present but the device cannot be opened.
     */
    public int run(PrintStream out) {
        out.println("ringsgd gpu-check");
        Device device;
        if (Devices.cudaAvailable()) {
            try {
                device = Devices.cuda(0);
            } catch (RuntimeException e) {
                out.println("CUDA device 0 could not be opened: " + e.getMessage());
                return 1;
            }
        } else {
            out.println("no CUDA device found: " + Devices.cudaUnavailableReason());
            if (!hostFallback) {
                out.println("nothing to check (the trainers will use the host device)");
                return 0;
            }
            out.println("checking the host device instead");
            device = Devices.host();
        }
        try (Device d = device) {
            return check(d, out);
        } catch (RuntimeException e) {
            out.println("FAILED: " + e);
            return 1;
        }
    }

    private int[] defaultSizes() {
        int perRank = Math.multiplyExact(ranks, segmentBytes / 4);
        return new int[] {1, 1000, perRank - 1, perRank, perRank + 1, 1 << 20, 4 << 20};
    }

    private List<Case> cases() {
        List<Case> out = new ArrayList<>();
        for (int n : sizes != null ? sizes : defaultSizes()) {
            out.add(new Case(n, ReduceOp.SUM));
        }
        int small = 1000;
        for (ReduceOp op : new ReduceOp[] {ReduceOp.AVG, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.PROD}) {
            out.add(new Case(small, op));
        }
        return out;
    }

    private int check(Device device, PrintStream out) {
        out.println("device: " + device.name());
        out.printf(Locale.ROOT, "group: %d rank%s in this JVM sharing the device, segment %d KiB, depth %d%n", ranks,
                ranks == 1 ? "" : "s", segmentBytes >> 10, depth);
        List<Case> cases = cases();
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(timeout).segmentBytes(segmentBytes).build();
        CollectiveOptions hostRing = CollectiveOptions.algorithm(Algorithm.RING).withSegmentBytes(segmentBytes);
        List<List<RankResult>> perRank = Communicators.runLocal(ranks, cfg, comm -> {
            try (DeviceAllreduce dar = new DeviceAllreduce(device, depth)) {
                List<RankResult> mine = new ArrayList<>();
                for (Case c : cases) {
                    mine.add(runCase(comm, device, dar, c, hostRing));
                }
                return mine;
            }
        });
        out.printf(Locale.ROOT, "%10s %5s %14s %13s %11s %12s %11s %11s %12s%n", "count", "op", "max|dev-host|",
                "bit-identical", "ranks-agree", "device(ms)", "algbw(GB/s)", "busbw(GB/s)", "host-ring(ms)");
        boolean ok = true;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            double maxDiff = 0;
            boolean identical = true;
            boolean agree = true;
            float[] first = perRank.get(0).get(i).device;
            for (List<RankResult> rank : perRank) {
                RankResult r = rank.get(i);
                for (int k = 0; k < c.count; k++) {
                    double diff = Math.abs((double) r.device[k] - r.host[k]);
                    if (diff > maxDiff || Double.isNaN(diff)) {
                        maxDiff = Double.isNaN(diff) ? Double.NaN : diff;
                    }
                    if (Float.floatToRawIntBits(r.device[k]) != Float.floatToRawIntBits(r.host[k])) {
                        identical = false;
                    }
                    if (Float.floatToRawIntBits(r.device[k]) != Float.floatToRawIntBits(first[k])) {
                        agree = false;
                    }
                }
            }
            ok &= identical && agree;
            double ms = perRank.get(0).get(i).deviceNanos / 1e6;
            double bytes = 4.0 * c.count;
            double algbw = ms > 0 ? bytes / (ms * 1e6) : 0;
            double busbw = algbw * (ranks == 1 ? 0 : 2.0 * (ranks - 1) / ranks);
            out.printf(Locale.ROOT, "%10d %5s %14s %13s %11s %12.3f %11.2f %11.2f %12.3f%n", c.count, c.op,
                    maxDiff == 0 ? "0" : String.format(Locale.ROOT, "%.3e", maxDiff), identical ? "yes" : "NO",
                    agree ? "yes" : "NO", ms, algbw, busbw,
                    perRank.get(0).get(i).hostNanos / 1e6);
        }
        out.println(ok ? "OK: the device AllReduce equals the host ring AllReduce bit for bit on every rank"
                : "FAILED: the device AllReduce differs from the host AllReduce");
        return ok ? 0 : 1;
    }

    private RankResult runCase(Communicator comm, Device device, DeviceAllreduce dar, Case c,
            CollectiveOptions hostRing) {
        float[] input = new float[c.count];
        SplittableRandom rnd = new SplittableRandom(31L * c.count + comm.rank());
        for (int k = 0; k < input.length; k++) {
            input[k] = (float) (rnd.nextDouble() * 2 - 1);
        }
        long[] deviceTimes = new long[iterations];
        float[] result = new float[c.count];
        try (DeviceBuffer buf = device.allocate(c.count)) {
            device.copyFromHost(input, 0, buf, 0, c.count);
            dar.allreduce(comm, buf, c.op); // warm-up: staging, kernels, connections
            for (int it = 0; it < iterations; it++) {
                device.copyFromHost(input, 0, buf, 0, c.count);
                comm.barrier();
                long t0 = System.nanoTime();
                dar.allreduce(comm, buf, c.op);
                deviceTimes[it] = System.nanoTime() - t0;
            }
            device.copyToHost(buf, 0, result, 0, c.count);
        }
        long[] hostTimes = new long[iterations];
        float[] host = null;
        for (int it = 0; it < iterations; it++) {
            host = input.clone();
            comm.barrier();
            long t0 = System.nanoTime();
            comm.allreduce(host, 0, c.count, c.op, hostRing);
            hostTimes[it] = System.nanoTime() - t0;
        }
        return new RankResult(result, host, median(deviceTimes), median(hostTimes));
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    /** One row of the report. */
    private static final class Case {
        final int count;
        final ReduceOp op;

        Case(int count, ReduceOp op) {
            this.count = count;
            this.op = op;
        }
    }

    /** What one rank saw for one case. */
    private static final class RankResult {
        final float[] device;
        final float[] host;
        final long deviceNanos;
        final long hostNanos;

        RankResult(float[] device, float[] host, long deviceNanos, long hostNanos) {
            this.device = device;
            this.host = host;
            this.deviceNanos = deviceNanos;
            this.hostNanos = hostNanos;
        }
    }
}

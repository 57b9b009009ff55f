package io.ringsgd.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveMismatchException;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Communicators;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.testing.Inputs;
import io.ringsgd.collectives.testing.TcpGroup;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The device AllReduce against serial references: every group size 1–5, sizes around the segment and chunk
 * boundaries, every op, blocking and non-blocking, bit-identical on every rank; equality with the host ring AllReduce
 * on arbitrary floats; interleaving with host collectives; TCP; mismatches that must fail loudly. Subclasses supply
 * the device each rank uses.
 */
abstract class DeviceAllreduceContract {
    /** 1 KiB segments: 256 floats, so small vectors already span several segments. */
    static final int SEG = 256;
    static final CommunicatorConfig CFG = CommunicatorConfig.builder().timeout(Duration.ofSeconds(20))
            .segmentBytes(4 * SEG).build();
    private static final float GUARD = 12345.5f;
    private static final int PAD = 3;

    /** The device rank {@code rank} uses. */
    protected abstract Device deviceFor(int rank);

    /** Called when rank's body is done with the device from {@link #deviceFor}. */
    protected abstract void release(Device device);

    /** Runs {@code body(comm, device)} on every rank of an in-JVM group, giving each rank its device. */
    private <T> List<T> onEveryRank(int p, CommunicatorConfig cfg, RankBody<T> body) {
        return Communicators.runLocal(p, cfg, comm -> {
            Device d = deviceFor(comm.rank());
            try {
                return body.run(comm, d);
            } finally {
                release(d);
            }
        });
    }

    @FunctionalInterface
    interface RankBody<T> {
        T run(Communicator comm, Device device);
    }

    static int[] sizes(int p) {
        return new int[] {0, 1, Math.max(1, p - 1), SEG - 1, SEG, SEG + 1, p * SEG - 1, p * SEG, p * SEG + 1,
            3 * p * SEG + 7, 5 * p * SEG + p - 1};
    }

    /** A device buffer holding {@code data} between guard values, and the offset where the data starts. */
    private static DeviceBuffer guarded(Device d, float[] data) {
        DeviceBuffer b = d.allocate(data.length + 2 * PAD);
        d.fill(b, 0, data.length + 2 * PAD, GUARD, null);
        d.copyFromHost(data, 0, b, PAD, data.length);
        return b;
    }

    /** The data part of a guarded buffer, after checking the guards are intact. */
    private static float[] unguard(Device d, DeviceBuffer b, int n, StringBuilder errors, String what) {
        float[] all = d.download(b);
        for (int i = 0; i < PAD; i++) {
            if (all[i] != GUARD || all[PAD + n + i] != GUARD) {
                errors.append(what).append(": wrote outside its range; ");
                break;
            }
        }
        return Arrays.copyOfRange(all, PAD, PAD + n);
    }

    private static void compareRanks(List<List<float[]>> perRank, List<String> labels) {
        for (int c = 0; c < labels.size(); c++) {
            float[] first = perRank.get(0).get(c);
            for (int r = 1; r < perRank.size(); r++) {
                float[] other = perRank.get(r).get(c);
                for (int i = 0; i < first.length; i++) {
                    if (Float.floatToRawIntBits(first[i]) != Float.floatToRawIntBits(other[i])) {
                        throw new AssertionError(labels.get(c) + ": rank " + r + " differs from rank 0 at element " + i
                                + " (" + other[i] + " vs " + first[i] + ")");
                    }
                }
            }
        }
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void everySizeAndOpEqualsTheSerialReferenceOnEveryRank(int p) {
        List<String> labels = new ArrayList<>();
        for (int n : sizes(p)) {
            for (ReduceOp op : Inputs.floatingOps()) {
                labels.add("blocking " + op + " of " + n);
            }
            for (ReduceOp op : Inputs.floatingOps()) {
                labels.add("non-blocking " + op + " of " + n);
            }
        }
        List<String> errors = new ArrayList<>();
        List<List<float[]>> perRank = onEveryRank(p, CFG, (comm, d) -> {
            StringBuilder err = new StringBuilder();
            List<float[]> results = new ArrayList<>();
            try (DeviceAllreduce dar = new DeviceAllreduce(d, 2 + comm.size() % 3)) {
                for (int n : sizes(p)) {
                    for (ReduceOp op : Inputs.floatingOps()) {
                        try (DeviceBuffer b = guarded(d, Inputs.floats(op, comm.rank(), n))) {
                            dar.allreduce(comm, b, PAD, n, op, CollectiveOptions.DEFAULT);
                            results.add(check(d, b, n, op, p, err, "blocking " + op + " of " + n));
                        }
                    }
                    // All ops of this size in flight at once: they queue on the progress thread and share staging.
                    List<DeviceBuffer> bufs = new ArrayList<>();
                    List<Request> reqs = new ArrayList<>();
                    for (ReduceOp op : Inputs.floatingOps()) {
                        DeviceBuffer b = guarded(d, Inputs.floats(op, comm.rank(), n));
                        bufs.add(b);
                        reqs.add(dar.iallreduce(comm, b, PAD, n, op, CollectiveOptions.DEFAULT, null));
                    }
                    for (int k = 0; k < reqs.size(); k++) {
                        ReduceOp op = Inputs.floatingOps()[k];
                        if (!reqs.get(k).await(Duration.ofSeconds(30))) {
                            throw new AssertionError("non-blocking " + op + " of " + n + " did not complete");
                        }
                        assertThat(reqs.get(k).isDone()).isTrue();
                        results.add(check(d, bufs.get(k), n, op, p, err, "non-blocking " + op + " of " + n));
                        bufs.get(k).free();
                    }
                }
            }
            synchronized (errors) {
                if (err.length() > 0) {
                    errors.add("rank " + comm.rank() + ": " + err);
                }
            }
            return results;
        });
        assertThat(errors).isEmpty();
        compareRanks(perRank, labels);
    }

    private static float[] check(Device d, DeviceBuffer b, int n, ReduceOp op, int p, StringBuilder err,
            String what) {
        float[] out = unguard(d, b, n, err, what);
        int bad = Inputs.firstMismatch(out, op, p);
        if (bad >= 0) {
            err.append(what).append(": element ").append(bad).append(" is ").append(out[bad]).append("; ");
        }
        return out;
    }

    @ParameterizedTest(name = "P={0}")
    @ValueSource(ints = {2, 3, 4})
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void arbitraryFloatsEqualTheHostRingBitForBit(int p) {
        int[] sizes = {1, 999, 4 * SEG * p + 13, 40_000};
        CollectiveOptions ring = CollectiveOptions.algorithm(Algorithm.RING);
        List<String> labels = new ArrayList<>();
        for (int n : sizes) {
            for (ReduceOp op : Inputs.floatingOps()) {
                labels.add(op + " of " + n);
            }
        }
        List<String> errors = new ArrayList<>();
        List<List<float[]>> perRank = onEveryRank(p, CFG, (comm, d) -> {
            List<float[]> out = new ArrayList<>();
            try (DeviceAllreduce dar = new DeviceAllreduce(d)) {
                for (int n : sizes) {
                    for (ReduceOp op : Inputs.floatingOps()) {
                        float[] x = new float[n];
                        SplittableRandom rnd = new SplittableRandom(n * 31L + comm.rank());
                        for (int i = 0; i < n; i++) {
                            x[i] = (float) (rnd.nextGaussian() * Math.exp(rnd.nextDouble() * 6 - 3));
                        }
                        float[] host = x.clone();
                        comm.allreduce(host, 0, n, op, ring);
                        float[] dev;
                        try (DeviceBuffer b = d.upload(x)) {
                            dar.allreduce(comm, b, op);
                            dev = d.download(b);
                        }
                        for (int i = 0; i < n; i++) {
                            if (Float.floatToRawIntBits(dev[i]) != Float.floatToRawIntBits(host[i])) {
                                synchronized (errors) {
                                    errors.add("rank " + comm.rank() + " " + op + " of " + n + ": element " + i
                                            + " is " + dev[i] + " on the device, " + host[i] + " on the host");
                                }
                                break;
                            }
                        }
                        out.add(dev);
                    }
                }
            }
            return out;
        });
        assertThat(errors).isEmpty();
        compareRanks(perRank, labels);
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void interleavesWithHostCollectivesAndGrowsItsStagingWithTheSegment() {
        int p = 3;
        // The communicator's default segment (256 KiB) first, then smaller and larger per-call segments.
        CommunicatorConfig cfg = CommunicatorConfig.builder().timeout(Duration.ofSeconds(20)).build();
        List<String> errors = onEveryRank(p, cfg, (comm, d) -> {
            StringBuilder err = new StringBuilder();
            try (DeviceAllreduce dar = new DeviceAllreduce(d, 2)) {
                int n = 200_003;
                int[] segments = {0, 4 << 10, 1 << 20, 64 << 10};
                List<Request> pending = new ArrayList<>();
                List<DeviceBuffer> bufs = new ArrayList<>();
                List<double[]> hostBufs = new ArrayList<>();
                for (int k = 0; k < segments.length; k++) {
                    DeviceBuffer b = d.upload(Inputs.floats(ReduceOp.SUM, comm.rank(), n));
                    bufs.add(b);
                    CollectiveOptions o = CollectiveOptions.DEFAULT.withSegmentBytes(segments[k]);
                    pending.add(dar.iallreduce(comm, b, 0, n, ReduceOp.SUM, o, null));
                    double[] h = Inputs.doubles(ReduceOp.MAX, comm.rank(), 777);
                    pending.add(comm.iallreduce(h, 0, h.length, ReduceOp.MAX));
                    hostBufs.add(h);
                    if (k == 1) {
                        float[] blocking = Inputs.floats(ReduceOp.MIN, comm.rank(), 5000);
                        comm.allreduce(blocking, ReduceOp.MIN);
                        if (Inputs.firstMismatch(blocking, ReduceOp.MIN, p) >= 0) {
                            err.append("blocking host allreduce between device ones; ");
                        }
                    }
                }
                for (Request r : pending) {
                    r.await();
                }
                for (int k = 0; k < bufs.size(); k++) {
                    if (Inputs.firstMismatch(d.download(bufs.get(k)), ReduceOp.SUM, p) >= 0) {
                        err.append("device allreduce with segment ").append(segments[k]).append("; ");
                    }
                    bufs.get(k).free();
                    if (Inputs.firstMismatch(hostBufs.get(k), ReduceOp.MAX, p) >= 0) {
                        err.append("host iallreduce #").append(k).append("; ");
                    }
                }
            }
            return err.toString();
        });
        assertThat(errors).containsOnly("");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void runsOverTcp() {
        int p = 3;
        List<String> errors = TcpGroup.run(p, CFG, comm -> {
            Device d = deviceFor(comm.rank());
            StringBuilder err = new StringBuilder();
            try (DeviceAllreduce dar = new DeviceAllreduce(d)) {
                for (int n : new int[] {1, 2 * SEG + 1, 20 * SEG * p + 5}) {
                    for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.MAX, ReduceOp.AVG}) {
                        try (DeviceBuffer b = d.upload(Inputs.floats(op, comm.rank(), n))) {
                            dar.iallreduce(comm, b, op).await();
                            int bad = Inputs.firstMismatch(d.download(b), op, p);
                            if (bad >= 0) {
                                err.append(op).append(" of ").append(n).append(" at ").append(bad).append("; ");
                            }
                        }
                    }
                }
            } finally {
                release(d);
            }
            return err.toString();
        });
        assertThat(errors).containsOnly("");
    }

    // ------------------------------------------------------------------------------------------- failures

    /** Runs a body on every rank and returns what the group throws. */
    private Throwable groupFailure(int p, Function<Communicator, Object> body) {
        CommunicatorConfig cfg = CFG.toBuilder().timeout(Duration.ofSeconds(10)).build();
        try {
            Communicators.runLocal(p, cfg, body);
        } catch (RuntimeException e) {
            return e;
        }
        throw new AssertionError("the group should have failed");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void ranksWithDifferentCountsFailWithAMismatch() {
        Throwable e = groupFailure(3, comm -> {
            Device d = deviceFor(comm.rank());
            int n = comm.rank() == 2 ? 1001 : 1000;
            try (DeviceAllreduce dar = new DeviceAllreduce(d); DeviceBuffer b = d.allocate(n)) {
                d.zero(b, 0, n, null);
                dar.allreduce(comm, b, ReduceOp.SUM);
            } finally {
                release(d);
            }
            return null;
        });
        assertThat(e).isInstanceOf(CollectiveMismatchException.class).hasMessageContaining("count");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void aHostCollectiveAgainstADeviceOneFailsWithAMismatch() {
        Throwable e = groupFailure(2, comm -> {
            Device d = deviceFor(comm.rank());
            try (DeviceAllreduce dar = new DeviceAllreduce(d); DeviceBuffer b = d.allocate(1000)) {
                d.zero(b, 0, 1000, null);
                if (comm.rank() == 0) {
                    comm.allreduce(new float[1000], ReduceOp.SUM);
                } else {
                    dar.iallreduce(comm, b, ReduceOp.SUM).await();
                }
            } finally {
                release(d);
            }
            return null;
        });
        assertThat(e).isInstanceOf(CollectiveMismatchException.class).hasMessageContaining("external");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void differentOpsFailWithAMismatch() {
        Throwable e = groupFailure(2, comm -> {
            Device d = deviceFor(comm.rank());
            try (DeviceAllreduce dar = new DeviceAllreduce(d); DeviceBuffer b = d.allocate(100)) {
                d.zero(b, 0, 100, null);
                dar.allreduce(comm, b, comm.rank() == 0 ? ReduceOp.SUM : ReduceOp.AVG);
            } finally {
                release(d);
            }
            return null;
        });
        assertThat(e).isInstanceOf(CollectiveMismatchException.class).hasMessageContaining("op");
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void badArgumentsAreRejectedBeforeAnythingIsSent() {
        Device d = deviceFor(0);
        try (Communicator comm = Communicators.local(1, CFG).get(0); DeviceAllreduce dar = new DeviceAllreduce(d);
                DeviceBuffer b = d.allocate(10); Device other = HostDevice.create();
                DeviceBuffer foreign = other.allocate(10)) {
            assertThatThrownBy(() -> new DeviceAllreduce(d, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("depth");
            assertThatThrownBy(() -> dar.allreduce(null, b, ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("comm is null");
            assertThatThrownBy(() -> dar.allreduce(comm, foreign, ReduceOp.SUM))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("create one per device");
            assertThatThrownBy(() -> dar.allreduce(comm, b, 4, 7, ReduceOp.SUM, CollectiveOptions.DEFAULT))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset 4 + count 7");
            assertThatThrownBy(() -> dar.allreduce(comm, b, null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("op is null");
            assertThatThrownBy(() -> dar.allreduce(comm, b, 0, 10, ReduceOp.SUM,
                    CollectiveOptions.compressed(Compression.INT8))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("compress");
            assertThatThrownBy(() -> dar.allreduce(comm, b, 0, 10, ReduceOp.SUM,
                    CollectiveOptions.algorithm(Algorithm.TREE))).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("segmented ring");
            DeviceBuffer freed = d.allocate(3);
            freed.free();
            assertThatThrownBy(() -> dar.allreduce(comm, freed, ReduceOp.SUM))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("freed");
            // The communicator is still usable: nothing was sent.
            d.fill(b, 0, 10, 2f, null);
            dar.allreduce(comm, b, ReduceOp.AVG);
            assertThat(d.download(b)).containsOnly(2f);
            DeviceAllreduce closed = new DeviceAllreduce(d);
            closed.close();
            closed.close();
            assertThatThrownBy(() -> closed.allreduce(comm, b, ReduceOp.SUM))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("closed");
        } finally {
            release(d);
        }
    }
}

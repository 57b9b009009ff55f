package io.ringsgd.gpu;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.Request;
import io.ringsgd.collectives.algorithm.CollectiveContext;
import io.ringsgd.collectives.transport.Header;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * AllReduce of a {@link DeviceBuffer} over any {@link Communicator}: a segmented ring (reduce-scatter, then all-gather)
 * that streams segments device → pinned host → network → pinned host → device and reduces them on the device, with
 * the copies, the network and the reductions of successive segments overlapped.
 *
 * <p>It runs inside the communicator's ordering ({@link Communicator#submit}), so device and host collectives can be
 * mixed freely as long as every rank issues the same sequence; its messages carry the header of an
 * {@link CollectiveKind#EXTERNAL} collective with the count and op, so ranks that disagree fail with a
 * {@code CollectiveMismatchException} instead of corrupting data. Every rank ends with bit-identical results, equal to
 * the host ring AllReduce ({@code Algorithm.RING}) of the same data; AVG is SUM followed by a division by the group
 * size on the device.
 *
 * <p>One instance per communicator and device: it owns two streams and staging buffers (pinned host memory sized by
 * the segment, {@code depth} slots in each direction) reused by every call. Its collectives run one at a time on the
 * communicator's progress thread, so several may be queued. Close it after the last one has completed.
 */
public final class DeviceAllreduce implements AutoCloseable {
    /** Segments in flight in each direction when not given: triple buffering. */
    public static final int DEFAULT_DEPTH = 3;

    private final Device device;
    private final int depth;
    private final DeviceStream copyOut;
    private final DeviceStream copyIn;
    private final AtomicBoolean running = new AtomicBoolean();
    private final Object lock = new Object();
    private DeviceRing ring;
    /** Staging of failed calls: peers may still be writing into it until their transports stop, so it is not reused. */
    private final List<DeviceRing> abandoned = new ArrayList<>();
    private boolean closed;

    /** A device AllReduce with {@link #DEFAULT_DEPTH} segments in flight each way. */
    public DeviceAllreduce(Device device) {
        this(device, DEFAULT_DEPTH);
    }

    /**
     * A device AllReduce keeping {@code depth} (2 to 64) segments in flight in each direction: 2 is double
     * buffering; more hides more latency at the cost of {@code 2 × depth} pinned segments and {@code depth} device
     * segments.
     */
    public DeviceAllreduce(Device device, int depth) {
        if (device == null) {
            throw new IllegalArgumentException("device is null: pass Devices.best() or a device you opened");
        }
        if (depth < 2 || depth > 64) {
            throw new IllegalArgumentException("depth must be between 2 and 64 segments, got " + depth);
        }
        this.device = device;
        this.depth = depth;
        this.copyOut = device.createStream();
        try {
            this.copyIn = device.createStream();
        } catch (RuntimeException e) {
            copyOut.close();
            throw e;
        }
    }

    public Device device() {
        return device;
    }

    /** Segments in flight in each direction. */
    public int depth() {
        return depth;
    }

    /** Blocking AllReduce of the whole buffer, after the work queued on the device's default stream. */
    public void allreduce(Communicator comm, DeviceBuffer buf, ReduceOp op) {
        iallreduce(comm, buf, 0, buf == null ? 0 : buf.count(), op, CollectiveOptions.DEFAULT, null).await();
    }

    /** Blocking AllReduce of {@code count} floats of {@code buf} from {@code offset}. */
    public void allreduce(Communicator comm, DeviceBuffer buf, int offset, int count, ReduceOp op,
            CollectiveOptions options) {
        iallreduce(comm, buf, offset, count, op, options, null).await();
    }

    /** Non-blocking AllReduce of the whole buffer; the buffer belongs to the collective until the request completes. */
    public Request iallreduce(Communicator comm, DeviceBuffer buf, ReduceOp op) {
        return iallreduce(comm, buf, 0, buf == null ? 0 : buf.count(), op, CollectiveOptions.DEFAULT, null);
    }

    /**
     * Non-blocking AllReduce of {@code count} floats of {@code buf} from {@code offset}. The collective reads the
     * buffer only after the work enqueued on {@code after} (null: the default stream) before this call, which is how
     * a gradient computed on a stream is handed over without blocking the caller. The buffer must not be touched
     * until the request completes; then the result is in device memory, visible to any stream.
     *
     * <p>{@code options} may set the segment size; the algorithm must be AUTO or RING and compression NONE.
     */
    public Request iallreduce(Communicator comm, DeviceBuffer buf, int offset, int count, ReduceOp op,
            CollectiveOptions options, DeviceStream after) {
        if (comm == null) {
            throw new IllegalArgumentException("comm is null: pass the communicator of the group");
        }
        if (buf == null) {
            throw new IllegalArgumentException("buf is null: pass a device buffer");
        }
        if (buf.device() != device) {
            throw new IllegalArgumentException("buf belongs to " + buf.device().name() + " but this DeviceAllreduce"
                    + " runs on " + device.name() + ": create one per device");
        }
        if (buf.isFreed()) {
            throw new IllegalStateException("buf (a device buffer of " + buf.count() + " floats) was freed");
        }
        Checks.range(buf, offset, count, "buf");
        if (op == null) {
            throw new IllegalArgumentException("op is null: pass a ReduceOp (SUM, PROD, MIN, MAX or AVG)");
        }
        if (options == null) {
            throw new IllegalArgumentException("options is null: pass CollectiveOptions.DEFAULT");
        }
        if (options.compression() != Compression.NONE) {
            throw new IllegalArgumentException("the device AllReduce does not compress (got " + options.compression()
                    + "): copy the vector to the host and use a compressed host AllReduce");
        }
        if (options.algorithm() != Algorithm.AUTO && options.algorithm() != Algorithm.RING) {
            throw new IllegalArgumentException("the device AllReduce is a segmented ring: algorithm "
                    + options.algorithm().cliName() + " is not available for device buffers (use auto or ring)");
        }
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("this DeviceAllreduce was closed");
            }
        }
        DeviceEvent ready = device.createEvent();
        try {
            ready.record(after);
            Request request = comm.submit(ctx -> run(ctx, buf, offset, count, op, options.segmentBytes(), ready));
            // A collective that never runs (the communicator failed first) must still release its event.
            request.toCompletableFuture().whenComplete((v, e) -> ready.close());
            return request;
        } catch (RuntimeException e) {
            ready.close();
            throw e;
        }
    }

    private void run(CollectiveContext ctx, DeviceBuffer buf, int offset, int count, ReduceOp op, int segmentBytes,
            DeviceEvent ready) {
        ctx.header().set(CollectiveKind.EXTERNAL, ctx.header().seq(), ElementType.FLOAT, count, op, Header.NO_ROOT,
                Algorithm.RING);
        if (!running.compareAndSet(false, true)) {
            ready.close();
            throw new IllegalStateException("this DeviceAllreduce is already running a collective of another"
                    + " communicator: use one DeviceAllreduce per communicator");
        }
        DeviceRing r = null;
        try {
            if (count == 0 || ctx.size() == 1) {
                return;
            }
            int segFloats = Math.max(1, (segmentBytes != 0 ? segmentBytes : ctx.segmentBytes()) / 4);
            // A vector shorter than P segments never fills a whole one: stage only what it needs (rounded up to a
            // power of two so that a run of similar sizes reuses the staging).
            int chunk = (count + ctx.size() - 1) / ctx.size();
            int needed = chunk >= segFloats ? segFloats : Math.min(segFloats, Integer.highestOneBit(chunk) << 1);
            r = staging(needed);
            try {
                r.run(ctx, buf, offset, count, op.wireOp(), ready, segFloats);
                if (op == ReduceOp.AVG) {
                    device.divide(buf, offset, count, ctx.size(), copyIn);
                }
                copyIn.synchronize();
            } catch (RuntimeException | Error e) {
                r.quiesce();
                abandon(r);
                throw e;
            }
        } finally {
            ready.close();
            running.set(false);
        }
    }

    /** Staging for segments of {@code segFloats}, reused while large enough. */
    private DeviceRing staging(int segFloats) {
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("this DeviceAllreduce was closed");
            }
            if (ring == null || ring.capacity() < segFloats) {
                if (ring != null) {
                    ring.close();
                    ring = null;
                }
                ring = new DeviceRing(device, copyOut, copyIn, depth, segFloats);
            }
            return ring;
        }
    }

    private void abandon(DeviceRing r) {
        synchronized (lock) {
            if (ring == r) {
                ring = null;
                abandoned.add(r);
            }
        }
    }

    /**
     * Frees the staging and the streams. Call it after the last collective has completed (and, if one failed, after
     * the communicator has been closed, since peers may still write into the staging of a failed call).
     */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (ring != null) {
                ring.close();
                ring = null;
            }
            for (DeviceRing r : abandoned) {
                r.close();
            }
            abandoned.clear();
        }
        copyOut.close();
        copyIn.close();
    }
}

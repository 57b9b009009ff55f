package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Device;
import io.ringsgd.gpu.DeviceAllreduce;
import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.DeviceKind;
import io.ringsgd.gpu.DeviceStream;
import io.ringsgd.gpu.PinnedBuffer;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.DevicePass;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link ComputeBackend} on a {@link Device}: every vector is a device buffer; the model runs through
 * {@link DevicePass}; the optimizer is {@link Device#sgdStep} (the CPU optimizer's formula, bit for bit); the
 * AllReduce is {@link DeviceAllreduce} fed from the compute stream. All work is queued on one compute stream, so the
 * device AllReduce's own streams overlap it; host transfers go through one pinned buffer on that stream and wait
 * for it only (never for the AllReduce in flight).
 */
final class DeviceBackend implements ComputeBackend {
    private static final Logger log = LoggerFactory.getLogger(DeviceBackend.class);

    private final Device device;
    private final boolean ownsDevice;
    private final int n;
    private final DeviceStream compute;
    private final DevicePass net;
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final List<DeviceBuffer> buffers = new ArrayList<>();
    private final ModelVector params;
    private final Map<String, ModelVector> state;
    private final DeviceBuffer velocity;
    private DeviceAllreduce allreduce;
    private PinnedBuffer transfer;
    private FloatBuffer transferFloats;
    private InFlight last;
    private boolean closing;
    private boolean released;

    DeviceBackend(Device device, boolean ownsDevice, Model model, float[] initialParams, double momentum,
            boolean nesterov, double weightDecay) {
        if (device == null) {
            throw new IllegalArgumentException("device is null");
        }
        if (initialParams.length != model.parameterCount()) {
            throw new IllegalArgumentException("initial parameters have " + initialParams.length + " floats but "
                    + model.describe() + " has " + model.parameterCount() + " parameters");
        }
        this.device = device;
        this.ownsDevice = ownsDevice;
        this.n = initialParams.length;
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.weightDecay = (float) weightDecay;
        this.compute = device.createStream();
        DevicePass f = null;
        try {
            f = DevicePass.create(model, device, compute);
            this.params = newVector();
            upload(initialParams, params);
            if (this.momentum != 0f) {
                ModelVector v = newVector();
                this.velocity = v.buffer();
                this.state = Map.of("momentum", v);
            } else {
                this.velocity = null;
                this.state = Collections.emptyMap();
            }
        } catch (RuntimeException e) {
            if (f != null) {
                f.close();
            }
            freeAll();
            compute.close();
            throw e;
        }
        this.net = f;
    }

    private DeviceBuffer of(ModelVector v, String what) {
        return ModelVector.ownedBy(this, v, what).buffer();
    }

    @Override
    public String describe() {
        return device.name();
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public int length() {
        return n;
    }

    @Override
    public ModelVector parameters() {
        return params;
    }

    @Override
    public ModelVector newVector() {
        DeviceBuffer b = device.allocate(n);
        buffers.add(b);
        device.zero(b, 0, n, compute);
        return ModelVector.device(this, b);
    }

    @Override
    public void copy(ModelVector src, ModelVector dst) {
        device.copy(of(src, "src"), 0, of(dst, "dst"), 0, n, compute);
    }

    @Override
    public void axpy(float alpha, ModelVector x, ModelVector y) {
        device.axpy(alpha, of(x, "x"), 0, of(y, "y"), 0, n, compute);
    }

    @Override
    public void scale(ModelVector x, float alpha) {
        device.scale(of(x, "x"), 0, n, alpha, compute);
    }

    private FloatBuffer transfer() {
        if (transfer == null) {
            transfer = device.allocatePinned(Math.multiplyExact(4, n));
            transferFloats = transfer.buffer().asFloatBuffer();
        }
        return transferFloats;
    }

    @Override
    public void download(ModelVector v, float[] dst) {
        DeviceBuffer b = of(v, "v");
        checkLength(dst);
        FloatBuffer f = transfer();
        device.copyToHost(b, 0, transfer.buffer(), 0, n, compute);
        compute.synchronize();
        f.get(0, dst, 0, n);
    }

    @Override
    public void upload(float[] src, ModelVector v) {
        DeviceBuffer b = of(v, "v");
        checkLength(src);
        FloatBuffer f = transfer();
        f.put(0, src, 0, n);
        device.copyFromHost(transfer.buffer(), 0, b, 0, n, compute);
        // The pinned buffer is reused by the next transfer: wait until the device has read it.
        compute.synchronize();
    }

    private void checkLength(float[] a) {
        if (a == null || a.length != n) {
            throw new IllegalArgumentException("host array has " + (a == null ? "no" : a.length) + " floats, the"
                    + " model has " + n + " parameters");
        }
    }

    @Override
    public double lossAndGradient(ModelVector p, Batch batch, ModelVector grad) {
        return net.lossAndGradient(of(p, "params"), batch, of(grad, "grad"));
    }

    @Override
    public void evaluateBatch(ModelVector p, Batch batch, Evaluation.Tally tally) {
        net.evaluateBatch(of(p, "params"), batch, tally);
    }

    @Override
    public void step(ModelVector grad, double lr) {
        device.sgdStep(params.buffer(), 0, of(grad, "grad"), 0, velocity, 0, n, (float) lr, momentum, weightDecay,
                nesterov, compute);
    }

    @Override
    public Map<String, ModelVector> optimizerState() {
        return state;
    }

    @Override
    public InFlight iallreduce(Communicator comm, ModelVector v, ReduceOp op, CollectiveOptions options,
            ErrorFeedback.Slot feedback) {
        DeviceBuffer b = of(v, "v");
        InFlight f;
        if (feedback == null && options.compression() == Compression.NONE) {
            if (allreduce == null) {
                allreduce = new DeviceAllreduce(device);
            }
            // Reads the vector after the work queued on the compute stream so far: no host wait here.
            f = new InFlight(allreduce.iallreduce(comm, b, 0, n, op, options, compute), null);
        } else {
            // The compressed ring runs on host floats: download, compensate, reduce, and upload in await().
            float[] host = v.mirror();
            download(v, host);
            CollectiveOptions o = feedback != null ? feedback.compensate(host, options) : options;
            f = new InFlight(comm.iallreduce(null, v.mirrorView(), op, o), () -> upload(host, v));
        }
        last = f;
        return f;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        InFlight l = last;
        if (l != null && !l.isDone()) {
            // The run failed with a collective in flight, which still reads and writes its buffers: release when it
            // completes (the communicator runs collectives in issue order, so the last one completes last).
            log.debug("closing {} with an AllReduce in flight: releasing when it completes", device.name());
            l.request().toCompletableFuture().whenComplete((v, e) -> release(e != null));
            return;
        }
        release(false);
    }

    private synchronized void release(boolean collectiveFailed) {
        if (released) {
            return;
        }
        released = true;
        if (collectiveFailed && device.kind() == DeviceKind.CUDA) {
            // Peers of a failed device AllReduce may still write into its pinned staging until the communicator is
            // closed; freeing it now could corrupt memory. The process is about to report the failure anyway.
            log.warn("a device AllReduce failed: leaving its device memory and staging on {} to the end of the "
                    + "process", device.name());
            return;
        }
        try {
            compute.synchronize();
        } catch (RuntimeException e) {
            log.debug("the compute stream failed before close", e);
        }
        if (allreduce != null) {
            allreduce.close();
        }
        net.close();
        freeAll();
        compute.close();
        if (ownsDevice) {
            device.close();
        }
    }

    private void freeAll() {
        for (DeviceBuffer b : buffers) {
            b.free();
        }
        buffers.clear();
        if (transfer != null) {
            transfer.free();
            transfer = null;
        }
    }
}

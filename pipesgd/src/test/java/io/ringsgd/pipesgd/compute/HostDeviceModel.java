package io.ringsgd.pipesgd.compute;

import io.ringsgd.gpu.DeviceBuffer;
import io.ringsgd.gpu.HostDevice;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.DevicePass;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.ModelFactory;

/**
 * The device math of a built-in model seen as a CPU {@link Model}: each call uploads the parameters to a synchronous
 * host device, runs its {@link DevicePass} and downloads the gradient. Serial references of the device path plug
 * it into their CPU loops (as a custom model), so that they compute exactly the gradients the device path computes
 * and check everything else the trainer does on the device (slots, AllReduce, SGD step, rounds) bit for bit.
 */
public final class HostDeviceModel implements Model {
    private final Model cpu;
    private final HostDevice device = HostDevice.create();
    private final DevicePass net;
    private final DeviceBuffer params;
    private final DeviceBuffer grad;

    public HostDeviceModel(Model cpu) {
        this.cpu = cpu;
        this.net = DevicePass.create(cpu, device, device.defaultStream());
        this.params = device.allocate(cpu.parameterCount());
        this.grad = device.allocate(cpu.parameterCount());
    }

    /** A factory wrapping the models of {@code cpu}. */
    public static ModelFactory wrap(ModelFactory cpu) {
        return (in, classes) -> new HostDeviceModel(cpu.create(in, classes));
    }

    @Override
    public String describe() {
        return cpu.describe();
    }

    @Override
    public int inputSize() {
        return cpu.inputSize();
    }

    @Override
    public int classCount() {
        return cpu.classCount();
    }

    @Override
    public int parameterCount() {
        return cpu.parameterCount();
    }

    @Override
    public void initialize(float[] p, long seed) {
        cpu.initialize(p, seed);
    }

    @Override
    public double lossAndGradient(float[] p, Batch batch, float[] g) {
        device.copyFromHost(p, 0, params, 0, p.length);
        double loss = net.lossAndGradient(params, batch, grad);
        device.copyToHost(grad, 0, g, 0, g.length);
        return loss;
    }

    @Override
    public void evaluateBatch(float[] p, Batch batch, Evaluation.Tally tally) {
        device.copyFromHost(p, 0, params, 0, p.length);
        net.evaluateBatch(params, batch, tally);
    }
}

package io.ringsgd.pipesgd.optim;

import io.ringsgd.gpu.SgdKernel;
import java.util.Map;

/**
 * SGD with momentum μ and L2 weight decay λ (PyTorch's formulation): d = g + λ·w; v = μ·v + d; then
 * w −= lr·v (classic) or w −= lr·(d + μ·v) (Nesterov). With μ = 0 it is plain SGD and keeps no state. Weight decay
 * applies to every parameter, biases included. The arithmetic is {@link SgdKernel}'s, shared with the device path.
 */
public final class SgdMomentum implements Optimizer {
    private final float momentum;
    private final boolean nesterov;
    private final float weightDecay;
    private final float[] velocity;

    /** An optimizer for {@code n} parameters. */
    public SgdMomentum(int n, double momentum, boolean nesterov, double weightDecay) {
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
            throw new IllegalArgumentException("weight decay must be a finite number >= 0, got " + weightDecay);
        }
        if (nesterov && momentum == 0) {
            throw new IllegalArgumentException("Nesterov momentum needs a momentum > 0: pass --momentum 0.9");
        }
        this.momentum = (float) momentum;
        this.nesterov = nesterov;
        this.weightDecay = (float) weightDecay;
        this.velocity = new float[momentum == 0 ? 0 : n];
    }

    @Override
    public void step(float[] params, float[] grad, double lr) {
        if (params.length != grad.length || (velocity.length != 0 && velocity.length != params.length)) {
            throw new IllegalArgumentException("parameters (" + params.length + "), gradient (" + grad.length
                    + ") and optimizer state (" + velocity.length + ") differ in length");
        }
        // With no state (μ = 0) the kernel takes its plain-SGD branch: momentum 0 is the only μ that allocates none.
        SgdKernel.step(params, 0, grad, 0, velocity, 0, params.length, (float) lr,
                velocity.length == 0 ? 0f : momentum, weightDecay, nesterov);
    }

    @Override
    public Map<String, float[]> state() {
        return velocity.length == 0 ? Map.of() : Map.of("momentum", velocity);
    }

    @Override
    public String describe() {
        return "sgd momentum " + momentum + (nesterov ? " nesterov" : "") + " weight-decay " + weightDecay;
    }
}

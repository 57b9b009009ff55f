package io.ringsgd.pipesgd.compute;

import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.gpu.Device;
import io.ringsgd.pipesgd.compress.ErrorFeedback;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.optim.Optimizer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The CPU {@link ComputeBackend}: the model on host arrays (BLAS), the optimizer's own loops, the host collectives. */
final class HostBackend implements ComputeBackend {
    private final Model model;
    private final Optimizer optimizer;
    private final int n;
    private final ModelVector params;
    private final Map<String, ModelVector> state;

    HostBackend(Model model, float[] params, Optimizer optimizer) {
        if (params.length != model.parameterCount()) {
            throw new IllegalArgumentException("parameter vector has " + params.length + " floats but "
                    + model.describe() + " has " + model.parameterCount() + " parameters");
        }
        this.model = model;
        this.optimizer = optimizer;
        this.n = params.length;
        this.params = ModelVector.host(this, params);
        Map<String, ModelVector> s = new LinkedHashMap<>();
        for (Map.Entry<String, float[]> e : optimizer.state().entrySet()) {
            s.put(e.getKey(), ModelVector.host(this, e.getValue()));
        }
        this.state = Collections.unmodifiableMap(s);
    }

    private float[] of(ModelVector v, String what) {
        return ModelVector.ownedBy(this, v, what).array();
    }

    @Override
    public String describe() {
        return "cpu";
    }

    @Override
    public Device device() {
        return null;
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
        return ModelVector.host(this, new float[n]);
    }

    @Override
    public void copy(ModelVector src, ModelVector dst) {
        System.arraycopy(of(src, "src"), 0, of(dst, "dst"), 0, n);
    }

    @Override
    public void axpy(float alpha, ModelVector x, ModelVector y) {
        float[] xs = of(x, "x");
        float[] ys = of(y, "y");
        for (int i = 0; i < n; i++) {
            ys[i] = ys[i] + alpha * xs[i];
        }
    }

    @Override
    public void scale(ModelVector x, float alpha) {
        float[] xs = of(x, "x");
        for (int i = 0; i < n; i++) {
            xs[i] = alpha * xs[i];
        }
    }

    @Override
    public void download(ModelVector v, float[] dst) {
        System.arraycopy(of(v, "v"), 0, dst, 0, n);
    }

    @Override
    public void upload(float[] src, ModelVector v) {
        System.arraycopy(src, 0, of(v, "v"), 0, n);
    }

    @Override
    public double lossAndGradient(ModelVector p, Batch batch, ModelVector grad) {
        return model.lossAndGradient(of(p, "params"), batch, of(grad, "grad"));
    }

    @Override
    public void evaluateBatch(ModelVector p, Batch batch, Evaluation.Tally tally) {
        model.evaluateBatch(of(p, "params"), batch, tally);
    }

    @Override
    public void step(ModelVector grad, double lr) {
        optimizer.step(params.array(), of(grad, "grad"), lr);
    }

    @Override
    public Map<String, ModelVector> optimizerState() {
        return state;
    }

    @Override
    public InFlight iallreduce(Communicator comm, ModelVector v, ReduceOp op, CollectiveOptions options,
            ErrorFeedback.Slot feedback) {
        float[] a = of(v, "v");
        CollectiveOptions o = feedback != null ? feedback.compensate(a, options) : options;
        return new InFlight(comm.iallreduce(null, v.view(), op, o), null);
    }

    @Override
    public void close() {
    }
}

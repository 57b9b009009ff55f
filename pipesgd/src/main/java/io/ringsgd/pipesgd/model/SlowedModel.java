package io.ringsgd.pipesgd.model;

import io.ringsgd.pipesgd.data.Batch;
import java.util.concurrent.locks.LockSupport;

/**
 * A model whose gradient computations take {@code factor} times as long as those of the model it wraps: after each
 * {@link #lossAndGradient} it parks for (factor − 1) times the time that call took, so the thread holds no CPU while
 * it waits. Results are those of the wrapped model, bit for bit. Used for {@code --straggler}; evaluation is not
 * slowed. Not thread-safe (as the models it wraps).
 */
public final class SlowedModel implements Model {
    private final Model inner;
    private final double extra;
    private long slowedNanos;

    /**
     * Wraps {@code inner}.
     *
     * @param inner  the model that computes
     * @param factor how many times as long each gradient takes, &gt;= 1
     */
    public SlowedModel(Model inner, double factor) {
        if (!(factor >= 1)) {
            throw new IllegalArgumentException("slow-down factor must be >= 1, got " + factor);
        }
        this.inner = inner;
        this.extra = factor - 1;
    }

    @Override
    public String describe() {
        return inner.describe();
    }

    @Override
    public int inputSize() {
        return inner.inputSize();
    }

    @Override
    public int classCount() {
        return inner.classCount();
    }

    @Override
    public int parameterCount() {
        return inner.parameterCount();
    }

    @Override
    public void initialize(float[] params, long seed) {
        inner.initialize(params, seed);
    }

    @Override
    public double lossAndGradient(float[] params, Batch batch, float[] grad) {
        long t0 = System.nanoTime();
        double loss = inner.lossAndGradient(params, batch, grad);
        long t1 = System.nanoTime();
        long until = t1 + (long) (extra * (t1 - t0));
        for (long now = t1; now < until; now = System.nanoTime()) {
            LockSupport.parkNanos(until - now);
        }
        slowedNanos += System.nanoTime() - t1;
        return loss;
    }

    @Override
    public void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally) {
        inner.evaluateBatch(params, batch, tally);
    }

    /**
     * Nanoseconds spent waiting so far.
     *
     * @return the total of the added waits
     */
    public long slowedNanos() {
        return slowedNanos;
    }
}

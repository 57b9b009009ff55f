package io.ringsgd.pipesgd.train;

import io.ringsgd.collectives.trace.Tracer;

/**
 * A rank's training steps on the communicator's timeline ({@code train --trace}): loading a batch, computing the
 * gradient, waiting for a collective's result, applying an update, evaluating, each with its iteration; beside the
 * collectives and messages the communicator records, so one trace shows what overlapped what. Costs one branch per
 * step when tracing is off.
 */
public final class IterationTrace {
    private final Tracer tracer;
    private final int rank;
    private final int batch;
    private final int gradient;
    private final int wait;
    private final int update;
    private final int evaluate;
    private final int average;

    IterationTrace(Tracer tracer, int rank) {
        this.tracer = tracer;
        this.rank = rank;
        this.batch = tracer.on() ? tracer.name("batch", "iteration", null) : -1;
        this.gradient = tracer.on() ? tracer.name("gradient", "iteration", null) : -1;
        this.wait = tracer.on() ? tracer.name("wait for collective", "iteration", null) : -1;
        this.update = tracer.on() ? tracer.name("update", "iteration", null) : -1;
        this.evaluate = tracer.on() ? tracer.name("evaluate", "iterations", null) : -1;
        this.average = tracer.on() ? tracer.name("combine", "iteration", null) : -1;
    }

    /** True when spans are recorded (callers may skip reading the clock otherwise). */
    public boolean on() {
        return tracer.on();
    }

    /** Loading the batch of iteration {@code t}. */
    public void batch(long start, long end, long t) {
        tracer.span(rank, batch, start, end, t, 0);
    }

    /** Forward and backward pass of iteration {@code t}. */
    public void gradient(long start, long end, long t) {
        tracer.span(rank, gradient, start, end, t, 0);
    }

    /** Blocked on a collective's result in iteration {@code t}. */
    public void waitFor(long start, long end, long t) {
        tracer.span(rank, wait, start, end, t, 0);
    }

    /** Applying an update in iteration {@code t}. */
    public void update(long start, long end, long t) {
        tracer.span(rank, update, start, end, t, 0);
    }

    /** Combining a collective's result with local state in iteration {@code t} (a model average). */
    public void combine(long start, long end, long t) {
        tracer.span(rank, average, start, end, t, 0);
    }

    /** Evaluating after {@code iterations}. */
    public void evaluate(long start, long end, long iterations) {
        tracer.span(rank, evaluate, start, end, iterations, 0);
    }
}

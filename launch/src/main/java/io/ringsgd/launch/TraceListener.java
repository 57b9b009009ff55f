package io.ringsgd.launch;

import io.ringsgd.collectives.trace.Tracer;
import io.ringsgd.pipesgd.train.EvaluationStats;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainingListener;

/**
 * Puts a rank's iterations on the timeline ({@code train --trace}): each iteration's computing and its wait for the
 * AllReduce results, from the times the trainer reports when the iteration ends (the wait is drawn last; the small
 * update after it is counted as computing), and each evaluation.
 */
final class TraceListener implements TrainingListener {
    private final Tracer tracer;
    private final int rank;
    private final int compute;
    private final int wait;
    private final int evaluate;
    private long evaluationStart;

    TraceListener(Tracer tracer, int rank) {
        this.tracer = tracer;
        this.rank = rank;
        this.compute = tracer.name("compute", "iteration", null);
        this.wait = tracer.name("wait for AllReduce", "iteration", null);
        this.evaluate = tracer.name("evaluate", "iterations", null);
    }

    @Override
    public void onIteration(IterationStats s) {
        long end = System.nanoTime();
        long waitStart = end - s.commWaitNanos();
        tracer.span(rank, compute, waitStart - s.computeNanos(), waitStart, s.iteration(), 0);
        if (s.commWaitNanos() > 0) {
            tracer.span(rank, wait, waitStart, end, s.iteration(), 0);
        }
        evaluationStart = end;
    }

    @Override
    public void onEvaluation(EvaluationStats s) {
        tracer.span(rank, evaluate, evaluationStart, System.nanoTime(), s.iterations(), 0);
    }
}

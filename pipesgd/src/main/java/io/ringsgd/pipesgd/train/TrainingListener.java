package io.ringsgd.pipesgd.train;

import java.nio.file.Path;
import java.util.List;

/**
 * Hears a run's progress. Each callback runs on the training thread of the rank whose {@link Trainer#train} call was
 * given this listener, between iterations: keep it short (it counts as training time unless noted) and do not call
 * collectives on the run's communicator from it. One instance given to several ranks (threads of one JVM) is called
 * from all of them at once and must be thread-safe; the usual pattern is a listener for rank 0 and
 * {@link #NONE} for the others. All methods have empty defaults. A listener that throws aborts the run on its rank
 * ({@link Trainer#train} rethrows the exception), and the other ranks then fail as they do when a peer dies
 * ({@code Communicators.runLocal} fails them at once, with a {@link io.ringsgd.collectives.PeerFailureException}).
 */
public interface TrainingListener {
    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {
    };

    /**
     * Once, before the first iteration (after the data is loaded and a checkpoint, if any, restored).
     *
     * @param info what the run is about to do
     */
    default void onStart(TrainingStarted info) {
    }

    /**
     * After each iteration of this rank.
     *
     * @param stats the iteration's loss and timing
     */
    default void onIteration(IterationStats stats) {
    }

    /**
     * After each test evaluation: at the end of each epoch, every {@link OutputConfig#evalEvery()} iterations and at
     * the end of the run. Every rank hears the same numbers. Evaluation time is excluded from training time.
     *
     * @param stats the evaluation
     */
    default void onEvaluation(EvaluationStats stats) {
    }

    /**
     * After the last iteration of each epoch.
     *
     * @param stats this rank's totals of the epoch
     */
    default void onEpochEnd(EpochStats stats) {
    }

    /**
     * After every optimizer update ({@code update} counts updates from 0), with the live parameter vector: read it,
     * do not modify or keep it. Meant for tests and debugging; the default does nothing.
     *
     * @param update the update's number, from 0
     * @param params the live parameters (a host copy when they live on a device), valid during the call only
     */
    default void onParametersUpdated(long update, float[] params) {
    }

    /**
     * Whether {@link #onParametersUpdated} reads the parameters: when they live in device memory they are downloaded
     * after every update only for listeners that do. The default answers whether this listener's class overrides
     * {@code onParametersUpdated}.
     *
     * @return whether {@link #onParametersUpdated} should be called
     */
    default boolean observesParameters() {
        try {
            return getClass().getMethod("onParametersUpdated", long.class, float[].class).getDeclaringClass()
                    != TrainingListener.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /**
     * After a checkpoint has been written (counted as checkpoint time, not training time).
     *
     * @param iterations iterations completed when it was taken
     * @param file       the shared checkpoint file (rank 0), or null on ranks that wrote only their own state
     */
    default void onCheckpoint(long iterations, Path file) {
    }

    /**
     * Once, after the run, with the result {@link Trainer#train} is about to return.
     *
     * @param result this rank's result
     */
    default void onFinish(TrainResult result) {
    }

    /**
     * A listener that calls each of {@code listeners} in order; it observes the parameters if any of them does.
     *
     * @param listeners the listeners, none null
     * @return the combined listener
     */
    static TrainingListener all(TrainingListener... listeners) {
        List<TrainingListener> list = List.of(listeners);
        return new TrainingListener() {
            @Override
            public void onStart(TrainingStarted info) {
                list.forEach(l -> l.onStart(info));
            }

            @Override
            public void onIteration(IterationStats stats) {
                for (TrainingListener l : list) {
                    l.onIteration(stats);
                }
            }

            @Override
            public void onEvaluation(EvaluationStats stats) {
                list.forEach(l -> l.onEvaluation(stats));
            }

            @Override
            public void onEpochEnd(EpochStats stats) {
                list.forEach(l -> l.onEpochEnd(stats));
            }

            @Override
            public void onParametersUpdated(long update, float[] params) {
                for (TrainingListener l : list) {
                    l.onParametersUpdated(update, params);
                }
            }

            @Override
            public boolean observesParameters() {
                return list.stream().anyMatch(TrainingListener::observesParameters);
            }

            @Override
            public void onCheckpoint(long iterations, Path file) {
                list.forEach(l -> l.onCheckpoint(iterations, file));
            }

            @Override
            public void onFinish(TrainResult result) {
                list.forEach(l -> l.onFinish(result));
            }
        };
    }
}

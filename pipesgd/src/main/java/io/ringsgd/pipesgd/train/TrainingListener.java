package io.ringsgd.pipesgd.train;

import java.nio.file.Path;
import java.util.List;

/**
 * Hears a run's progress on the training thread of each rank: keep the callbacks short (they count as training time
 * unless noted). All methods have empty defaults. A listener that throws aborts the run.
 */
public interface TrainingListener {
    /** A listener that ignores everything. */
    TrainingListener NONE = new TrainingListener() {
    };

    /** Before the first iteration. */
    default void onStart(TrainingStarted info) {
    }

    /** After each iteration. */
    default void onIteration(IterationStats stats) {
    }

    /** After each test evaluation (evaluation time is excluded from training time). */
    default void onEvaluation(EvaluationStats stats) {
    }

    /** After the last iteration of each epoch. */
    default void onEpochEnd(EpochStats stats) {
    }

    /**
     * After every optimizer update ({@code update} counts updates from 0), with the live parameter vector: read it,
     * do not modify or keep it. Meant for tests and debugging; the default does nothing.
     */
    default void onParametersUpdated(long update, float[] params) {
    }

    /**
     * Whether {@link #onParametersUpdated} reads the parameters: when they live in device memory they are downloaded
     * after every update only for listeners that do. The default answers whether this listener's class overrides
     * {@code onParametersUpdated}.
     */
    default boolean observesParameters() {
        try {
            return getClass().getMethod("onParametersUpdated", long.class, float[].class).getDeclaringClass()
                    != TrainingListener.class;
        } catch (NoSuchMethodException e) {
            return true;
        }
    }

    /** After a checkpoint has been written ({@code file} is null on ranks that wrote only their own state). */
    default void onCheckpoint(long iterations, Path file) {
    }

    /** After the run, with its result. */
    default void onFinish(TrainResult result) {
    }

    /** A listener calling each of {@code listeners} in order. */
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

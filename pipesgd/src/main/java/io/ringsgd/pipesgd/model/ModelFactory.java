package io.ringsgd.pipesgd.model;

/**
 * Creates a model for a task; how users plug in their own model ({@code TrainConfig.Builder.modelFactory}), and how
 * the built-in ones are made ({@link Models}). Called once per worker, from the worker's thread, so each worker has
 * its own work buffers: ranks that are threads of one JVM call it concurrently, so it must be thread-safe (a lambda
 * calling a constructor is).
 */
@FunctionalInterface
public interface ModelFactory {

    /**
     * A new model for the data set's shape.
     *
     * @param inputSize  features per sample
     * @param classCount classes to predict
     * @return a model taking {@code inputSize} features and predicting one of {@code classCount} classes
     * @throws IllegalArgumentException if the model cannot take that shape
     */
    Model create(int inputSize, int classCount);
}

package io.ringsgd.pipesgd.model;

/**
 * Creates a model for a task; how users plug in their own model ({@code TrainConfig.Builder.modelFactory}). Called once
 * per worker, so each worker has its own work buffers.
 */
@FunctionalInterface
public interface ModelFactory {

    /** A model taking {@code inputSize} features and predicting one of {@code classCount} classes. */
    Model create(int inputSize, int classCount);
}

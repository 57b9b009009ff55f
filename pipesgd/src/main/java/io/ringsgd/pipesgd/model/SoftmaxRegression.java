package io.ringsgd.pipesgd.model;

/**
 * Multinomial logistic regression: one dense layer (Glorot-initialized weights, zero biases) and softmax
 * cross-entropy; convex, so a good model for checking optimizers and compression.
 */
public final class SoftmaxRegression extends FeedForwardModel {

    /**
     * A softmax regression of {@code inputSize} features to {@code classCount} classes.
     *
     * @param inputSize  features per sample
     * @param classCount classes
     */
    public SoftmaxRegression(int inputSize, int classCount) {
        super(new int[] {inputSize, classCount});
    }

    @Override
    public String describe() {
        return "softmax " + shape();
    }
}

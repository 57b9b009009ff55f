package io.ringsgd.pipesgd.model;

/**
 * Multinomial logistic regression: one dense layer (Glorot-initialized weights, zero biases) and softmax
 * cross-entropy; convex, so a good model for checking optimizers and compression.
 */
public final class SoftmaxRegression extends FeedForwardModel {

    public SoftmaxRegression(int inputSize, int classCount) {
        super(new int[] {inputSize, classCount});
    }

    @Override
    public String describe() {
        return "softmax " + shape();
    }
}

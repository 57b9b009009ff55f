package io.ringsgd.pipesgd.model;

/**
 * A multi-layer perceptron: dense hidden layers with ReLU, a dense output layer and softmax cross-entropy, He
 * initialization for the hidden layers and Glorot for the output layer. With hidden sizes 256, 128 on 784 inputs and
 * 10 classes it has 235146 parameters.
 */
public final class Mlp extends FeedForwardModel {

    /**
     * An MLP with the given hidden layer sizes.
     *
     * @param inputSize  features per sample
     * @param hidden     hidden layer sizes, at least one
     * @param classCount classes
     * @throws IllegalArgumentException if there is no hidden layer
     */
    public Mlp(int inputSize, int[] hidden, int classCount) {
        super(layerSizes(inputSize, hidden, classCount));
    }

    private static int[] layerSizes(int inputSize, int[] hidden, int classCount) {
        if (hidden == null || hidden.length == 0) {
            throw new IllegalArgumentException("an MLP needs at least one hidden layer (e.g. --hidden 256,128); "
                    + "use the softmax model for none");
        }
        int[] s = new int[hidden.length + 2];
        s[0] = inputSize;
        System.arraycopy(hidden, 0, s, 1, hidden.length);
        s[s.length - 1] = classCount;
        return s;
    }

    @Override
    public String describe() {
        return "mlp " + shape();
    }
}

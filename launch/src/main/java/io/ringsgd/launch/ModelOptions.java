package io.ringsgd.launch;

import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.train.TrainConfig;
import picocli.CommandLine.Option;

/**
 * The model to train or plan for, the same in every command: {@code --model} (mlp, softmax, cnn, cnn-large,
 * cnn:SPEC) and {@code --hidden} (the MLP's). A picocli mixin.
 */
public final class ModelOptions {

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "MODEL", description = "mlp, softmax, cnn"
            + " (LeNet-5-like, 127462 parameters on 28x28 images: c16k5p2-pool2-c32k5-pool2-d128-d84), cnn-large"
            + " (1663370 parameters: c32k5p2-pool2-c64k5p2-pool2-d512), or cnn:SPEC, layers joined by '-': cFkKpP"
            + " (F filters KxK, padding P, ReLU), poolS (SxS max pool), dN (dense N, ReLU); the output layer is added"
            + " (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--hidden", defaultValue = "256,128", description = "MLP hidden layer sizes (default"
            + " ${DEFAULT-VALUE}).")
    String hidden;

    /** The model's name as given. */
    public String name() {
        return model;
    }

    /** The hidden layer sizes. */
    public int[] hidden() {
        return TrainConfig.parseHidden(hidden);
    }

    /** The built-in model's factory. */
    public ModelFactory factory() {
        return Models.factory(model, hidden());
    }
}

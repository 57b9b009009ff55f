package io.ringsgd.launch;

import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.train.TrainConfig;
import picocli.CommandLine.Option;

/** The model to train or plan for, the same in every command: {@code --model} and {@code --hidden}. A picocli mixin. */
public final class ModelOptions {

    @Option(names = "--model", defaultValue = "mlp", description = "mlp or softmax (default ${DEFAULT-VALUE}).")
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

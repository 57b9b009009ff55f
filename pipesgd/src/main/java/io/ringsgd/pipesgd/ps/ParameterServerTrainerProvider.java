package io.ringsgd.pipesgd.ps;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerProvider;

/** Registers {@code ps}: synchronous SGD through a parameter server on rank 0, with the standard defaults. */
public final class ParameterServerTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return ParameterServerTrainer.NAME;
    }

    @Override
    public String description() {
        return "synchronous SGD through a parameter server: rank 0 serves, the others push gradients and pull the model";
    }

    @Override
    public Trainer create() {
        return new ParameterServerTrainer();
    }
}

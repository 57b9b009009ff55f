package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerProvider;

/** Registers {@code cocod} with the trainer registry (through {@code META-INF/services}). */
public final class CocodTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return CocodSgdTrainer.NAME;
    }

    @Override
    public String description() {
        return "CoCoD-SGD: the model average overlaps --local-steps local SGD steps (default 4)";
    }

    @Override
    public Trainer create() {
        return new CocodSgdTrainer();
    }
}

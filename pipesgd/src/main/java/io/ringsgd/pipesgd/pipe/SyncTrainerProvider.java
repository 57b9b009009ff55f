package io.ringsgd.pipesgd.pipe;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerProvider;

/** Registers {@code sync}: synchronous AllReduce SGD (Pipe-SGD of width 1). */
public final class SyncTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return "sync";
    }

    @Override
    public String description() {
        return "synchronous AllReduce SGD (Pipe-SGD with width 1)";
    }

    @Override
    public Trainer create() {
        return PipeSgdTrainer.synchronous();
    }
}

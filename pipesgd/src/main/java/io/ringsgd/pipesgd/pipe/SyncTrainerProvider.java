package io.ringsgd.pipesgd.pipe;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import java.util.List;

/** Registers {@code sync}: synchronous AllReduce SGD (Pipe-SGD of width 1), with the standard defaults. */
public final class SyncTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return PipeSgdTrainer.SYNC;
    }

    @Override
    public String description() {
        return "synchronous AllReduce SGD (Pipe-SGD with width 1)";
    }

    @Override
    public Trainer create() {
        return PipeSgdTrainer.synchronous();
    }

    @Override
    public List<TrainerOption<?>> options() {
        return PipeSgdTrainer.options(false);
    }
}

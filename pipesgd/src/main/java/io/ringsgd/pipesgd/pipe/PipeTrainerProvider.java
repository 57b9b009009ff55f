package io.ringsgd.pipesgd.pipe;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerProvider;

/** Registers {@code pipe}: Pipe-SGD with the configured width. */
public final class PipeTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return "pipe";
    }

    @Override
    public String description() {
        return "Pipe-SGD: the gradient AllReduce overlaps the next K-1 iterations (--width K, default 2)";
    }

    @Override
    public Trainer create() {
        return PipeSgdTrainer.pipelined();
    }
}

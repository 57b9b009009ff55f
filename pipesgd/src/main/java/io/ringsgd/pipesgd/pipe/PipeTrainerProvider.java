package io.ringsgd.pipesgd.pipe;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import java.util.List;

/**
 * Registers {@code pipe}: Pipe-SGD with the configured width, its options {@code --width} and {@code --sync-warmup},
 * and the standard defaults (lr 0.05, momentum 0.8). Momentum stays below the usual 0.9 on purpose: a gradient that
 * is K−1 steps stale shrinks the stable step size of heavy-ball momentum sharply (for a quadratic with μ = 0.9 and one
 * step of delay, from lr·h &lt; 3.8 to lr·h &lt; 0.1), and lr 0.1 with μ 0.9 diverges at width 2.
 */
public final class PipeTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return PipeSgdTrainer.PIPE;
    }

    @Override
    public String description() {
        return "Pipe-SGD: the gradient AllReduce overlaps the next K-1 iterations (--width K)";
    }

    @Override
    public Trainer create() {
        return PipeSgdTrainer.pipelined();
    }

    @Override
    public List<TrainerOption<?>> options() {
        return PipeSgdTrainer.options(true);
    }
}

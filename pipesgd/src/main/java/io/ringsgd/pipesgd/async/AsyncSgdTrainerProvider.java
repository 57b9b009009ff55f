package io.ringsgd.pipesgd.async;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerDefaults;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import java.util.List;

/**
 * Registers {@code async} (DASGD, {@link AsyncSgdTrainer}) with its options ({@link AsyncOptions}) and its defaults:
 * lr 0.05 without momentum (the master applies plain SGD steps; heavy-ball momentum on stale gradients compounds the
 * staleness).
 */
public final class AsyncSgdTrainerProvider implements TrainerProvider {
    /** The async trainer's defaults for the shared settings. */
    public static final TrainerDefaults DEFAULTS = new TrainerDefaults(0.05, 0.0);

    @Override
    public String name() {
        return AsyncSgdTrainer.NAME;
    }

    @Override
    public String description() {
        return "asynchronous SGD (DASGD): rank 0 applies each worker's gradient as it arrives, with --lr-schedule";
    }

    @Override
    public Trainer create() {
        return new AsyncSgdTrainer();
    }

    @Override
    public List<TrainerOption<?>> options() {
        return List.of(AsyncOptions.LR_SCHEDULE, AsyncOptions.LR_POWER, AsyncOptions.LR_SCALE,
                AsyncOptions.DETERMINISTIC, AsyncOptions.INJECTED_DELAY);
    }

    @Override
    public TrainerDefaults defaults() {
        return DEFAULTS;
    }
}

package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerDefaults;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import java.util.List;

/**
 * Registers {@code cocod} with the trainer registry (through {@code META-INF/services}), with its options
 * ({@link CocodOptions}) and its own defaults: lr 0.025 and momentum 0.95 instead of the gradient trainers' 0.05 and
 * 0.8. Its momentum is local and never stale, and smoother local steps keep the workers' models closer between
 * averages (the local models drift apart by up to 2τ local steps); the README compares the two settings.
 */
public final class CocodTrainerProvider implements TrainerProvider {
    /** CoCoD-SGD's defaults for the shared settings. */
    public static final TrainerDefaults DEFAULTS = new TrainerDefaults(0.025, 0.95);

    @Override
    public String name() {
        return CocodSgdTrainer.NAME;
    }

    @Override
    public String description() {
        return "CoCoD-SGD: the model average overlaps --local-steps local SGD steps";
    }

    @Override
    public Trainer create() {
        return new CocodSgdTrainer();
    }

    @Override
    public List<TrainerOption<?>> options() {
        return List.of(CocodOptions.LOCAL_STEPS, CocodOptions.WEIGHTED, CocodOptions.BATCH_SIZES);
    }

    @Override
    public TrainerDefaults defaults() {
        return DEFAULTS;
    }
}

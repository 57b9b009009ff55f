package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.Trainer;
import io.ringsgd.pipesgd.train.TrainerDefaults;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import java.util.List;

/**
 * Registers {@code ebsp} (Elastic BSP, {@link ElasticBspTrainer}) with its options ({@link EbspOptions}) and
 * CoCoD-SGD's defaults for the shared settings (lr 0.025, momentum 0.95): both take local steps between model
 * averages, with momentum that stays local.
 */
public final class ElasticBspTrainerProvider implements TrainerProvider {
    @Override
    public String name() {
        return ElasticBspTrainer.NAME;
    }

    @Override
    public String description() {
        return "Elastic BSP: ZipLine places each barrier where the workers' predicted iteration ends meet; each worker"
                + " takes its own number of local steps, then models are averaged weighted by samples";
    }

    @Override
    public Trainer create() {
        return new ElasticBspTrainer();
    }

    @Override
    public List<TrainerOption<?>> options() {
        return List.of(EbspOptions.LOOKAHEAD, EbspOptions.MIN_STEPS, EbspOptions.STEP_TIMES);
    }

    @Override
    public TrainerDefaults defaults() {
        return CocodTrainerProvider.DEFAULTS;
    }
}

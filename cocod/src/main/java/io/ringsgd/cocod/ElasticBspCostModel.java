package io.ringsgd.cocod;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerSpec;
import java.util.List;

/**
 * The iteration time of {@code ebsp} (Elastic BSP) with at least m = {@code ebsp.min-steps} local steps per round. The
 * plan's workers are equal, and with equal workers ZipLine places every barrier after m steps on every worker, so a
 * round is CoCoD-SGD's round of τ = m steps around one overlapped model average: the same formula
 * ({@link CocodCostModel}), T = (period + 3N·π [+ 2N·π + E]) / m. The exchange of step times (P doubles, issued
 * behind the model average on the same progress thread) is left out. With a straggler the plan has no input for,
 * each worker's rounds take the same time by design and the mean step time is that of the workers' mean speed.
 * Not a candidate of its own in {@code plan} (it would tie with {@code cocod}); named, it is predicted.
 */
public final class ElasticBspCostModel implements TrainerCostModel {

    @Override
    public String trainer() {
        return ElasticBspTrainer.NAME;
    }

    @Override
    public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        return List.of();
    }

    @Override
    public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        int m = setting != null ? setting : EbspOptions.DEFAULT_MIN_STEPS;
        if (m < 1) {
            throw new IllegalArgumentException("ebsp needs min-steps >= 1, got " + m);
        }
        return new TrainerSpec(trainer(), 0, m, compression, algorithm);
    }

    @Override
    public void check(TrainerSpec spec) {
        if (spec.width() != 0 || spec.localSteps() < 1) {
            throw new IllegalArgumentException("ebsp has min-steps >= 1 and no pipeline width, got width "
                    + spec.width() + " and min-steps " + spec.localSteps());
        }
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        return CocodCostModel.rounds(model, spec);
    }

    @Override
    public int caution() {
        return 2;
    }
}

package io.ringsgd.pipesgd.pipe;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerSpec;
import java.util.List;

/**
 * The iteration time of {@code sync} (Pipe-SGD of width 1): T = C + E + A, compute and error feedback, then the
 * AllReduce of the gradient that nothing overlaps. The baseline of every speedup the plan reports.
 */
public final class SyncCostModel implements TrainerCostModel {

    @Override
    public String trainer() {
        return PipeSgdTrainer.SYNC;
    }

    @Override
    public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        return List.of(spec(null, compression, algorithm));
    }

    @Override
    public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        if (setting != null && setting != 1) {
            throw new IllegalArgumentException("sync has width 1, got " + setting + ": use pipe for K > 1");
        }
        return new TrainerSpec(trainer(), 1, 0, compression, algorithm);
    }

    @Override
    public void check(TrainerSpec spec) {
        if (spec.width() != 1 || spec.localSteps() != 0) {
            throw new IllegalArgumentException("sync is width 1 without local steps, got width " + spec.width()
                    + " and local steps " + spec.localSteps() + ": use pipe for K > 1");
        }
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        return model.synchronous(spec, model.computeSeconds() + model.feedbackSeconds(spec.compression()));
    }

    @Override
    public int caution() {
        return 0;
    }

    @Override
    public boolean baseline() {
        return true;
    }
}

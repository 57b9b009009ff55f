package io.ringsgd.pipesgd.pipe;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The iteration time of {@code pipe}, Pipe-SGD of width K ≥ 2: the gradient AllReduces run one after the other on the
 * progress thread while the next iterations compute, so the period is the slower of one iteration's compute (with
 * error feedback) and one AllReduce ({@link IterationModel#overlapped} with one step per round). Beyond K = 2 the
 * steady state does not change (the AllReduces are serial); larger K only absorbs jitter and adds staleness. Width 1
 * is synchronous.
 */
public final class PipeCostModel implements TrainerCostModel {
    /** Pipeline widths the plan compares (width 1 is {@code sync}'s). */
    public static final List<Integer> WIDTHS = List.of(2, 3, 4);

    @Override
    public String trainer() {
        return PipeSgdTrainer.PIPE;
    }

    @Override
    public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        List<TrainerSpec> out = new ArrayList<>();
        for (int k : WIDTHS) {
            out.add(spec(k, compression, algorithm));
        }
        return out;
    }

    @Override
    public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        int k = setting != null ? setting : PipeSgdTrainer.DEFAULT_WIDTH;
        if (k < 1 || k > PipeSgdTrainer.MAX_WIDTH) {
            throw new IllegalArgumentException("pipe needs a width between 1 and " + PipeSgdTrainer.MAX_WIDTH
                    + ", got " + k);
        }
        return new TrainerSpec(trainer(), k, 0, compression, algorithm);
    }

    @Override
    public void check(TrainerSpec spec) {
        if (spec.width() < 1 || spec.localSteps() != 0) {
            throw new IllegalArgumentException("pipe has a width >= 1 and no local steps, got width " + spec.width()
                    + " and local steps " + spec.localSteps() + ": local steps belong to cocod");
        }
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        double feedback = model.feedbackSeconds(spec.compression());
        if (spec.width() == 1) {
            return model.synchronous(spec, model.computeSeconds() + feedback);
        }
        return model.overlapped(spec, 1, feedback, 0);
    }

    @Override
    public int caution() {
        return 1;
    }
}

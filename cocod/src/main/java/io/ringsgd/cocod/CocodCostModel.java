package io.ringsgd.cocod;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The iteration time of {@code cocod} with τ local steps: one model AllReduce per round of τ steps, overlapped with
 * them ({@link IterationModel#overlapped} with a window of τ steps), plus per round the snapshot, the copy to the wire
 * and the combine (3 passes over the model; compressed, 2 more and error feedback on the difference):
 * T = (period + 3N·π [+ 2N·π + E]) / τ.
 */
public final class CocodCostModel implements TrainerCostModel {
    /** Local steps the plan compares. */
    public static final List<Integer> LOCAL_STEPS = List.of(1, 2, 4, 8);

    @Override
    public String trainer() {
        return CocodSgdTrainer.NAME;
    }

    @Override
    public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        List<TrainerSpec> out = new ArrayList<>();
        for (int tau : LOCAL_STEPS) {
            out.add(spec(tau, compression, algorithm));
        }
        return out;
    }

    @Override
    public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        int tau = setting != null ? setting : CocodSgdTrainer.DEFAULT_LOCAL_STEPS;
        if (tau < 1) {
            throw new IllegalArgumentException("cocod needs local steps >= 1, got " + tau);
        }
        return new TrainerSpec(trainer(), 0, tau, compression, algorithm);
    }

    @Override
    public void check(TrainerSpec spec) {
        if (spec.width() != 0 || spec.localSteps() < 1) {
            throw new IllegalArgumentException("cocod has local steps >= 1 and no pipeline width, got width "
                    + spec.width() + " and local steps " + spec.localSteps());
        }
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        return rounds(model, spec);
    }

    /**
     * The iteration time of rounds of {@code spec.localSteps()} local steps around one overlapped model average
     * (CoCoD-SGD's, and Elastic BSP's with equal workers).
     */
    static Prediction rounds(IterationModel model, TrainerSpec spec) {
        Compression c = spec.compression();
        // Per round: snapshot, copy to the wire, combine (with compression also the difference from the reference
        // and the reference update, and error feedback on the difference, once per round rather than per step).
        double passes = model.ranks() == 1 ? 0 : (c == Compression.NONE ? 3 : 5) * model.parameters()
                * model.passSeconds() + model.feedbackSeconds(c);
        return model.overlapped(spec, spec.localSteps(), 0, passes);
    }

    @Override
    public int caution() {
        return 2;
    }
}

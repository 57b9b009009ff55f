package io.ringsgd.pipesgd.ps;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerSpec;
import java.util.List;

/**
 * The cost model of a trainer with one configuration and nothing to tune (the parameter server, asynchronous SGD):
 * the plan shows it as a reference row, never as a candidate. Subclasses give the iteration-time formula.
 */
public abstract class SingleSpecCostModel implements TrainerCostModel {
    private final String trainer;
    private final String what;

    /** {@code trainer} is the trainer's name, {@code what} how errors name it ("the parameter server"). */
    protected SingleSpecCostModel(String trainer, String what) {
        this.trainer = trainer;
        this.what = what;
    }

    @Override
    public final String trainer() {
        return trainer;
    }

    @Override
    public final List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        return List.of();
    }

    @Override
    public final TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        return SingleSpec.of(trainer, what, setting, compression, algorithm);
    }

    @Override
    public final void check(TrainerSpec spec) {
        SingleSpec.check(what, spec);
    }
}

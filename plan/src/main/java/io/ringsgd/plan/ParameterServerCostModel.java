package io.ringsgd.plan;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.util.List;

/**
 * The parameter-server reference ({@code ps}): every worker pushes its gradient to one server and pulls the model, so
 * the server's link carries P pushes and P pulls of the whole vector: T = C + 2L + 2·P·n/B (host only: 2α + 2·P·n·β)
 * + (P − 1)·n·γ for the server's reductions. A reference point for the plan's table, not a trainer one can run.
 */
public final class ParameterServerCostModel implements TrainerCostModel {
    /** The reference's name in the plan's table. */
    public static final String NAME = "ps";

    /** The one configuration of the reference. */
    public static TrainerSpec spec() {
        return new TrainerSpec(NAME, 0, 0, Compression.NONE, Algorithm.AUTO);
    }

    @Override
    public String trainer() {
        return NAME;
    }

    @Override
    public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
        return List.of();
    }

    @Override
    public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
        if (setting != null || compression != Compression.NONE || algorithm != Algorithm.AUTO) {
            throw new IllegalArgumentException("the parameter-server reference has no setting, compression or"
                    + " algorithm: name it ps");
        }
        return spec();
    }

    @Override
    public void check(TrainerSpec spec) {
        if (spec.width() != 0 || spec.localSteps() != 0 || spec.compression() != Compression.NONE
                || spec.algorithm() != Algorithm.AUTO) {
            throw new IllegalArgumentException("the parameter-server reference has no width, local steps,"
                    + " compression or algorithm");
        }
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        CostModel cost = model.cost();
        int ranks = model.ranks();
        long bytes = model.bytes();
        double push;
        LinkModel link = cost.link();
        double moved = 2.0 * ranks * bytes;
        if (link != null) {
            push = 2 * link.latency().toNanos() / 1e9 + Math.max(moved / link.bytesPerSecond(),
                    2 * cost.alpha() + moved * cost.beta());
        } else {
            push = 2 * cost.alpha() + moved * cost.beta();
        }
        double server = ranks > 1 ? (ranks - 1.0) * bytes * cost.gamma() : 0;
        double comm = ranks > 1 ? push + server : 0;
        double compute = model.computeSeconds();
        return new Prediction(spec, Algorithm.AUTO, compute + comm, compute, comm, comm);
    }

    @Override
    public int caution() {
        return 9;
    }

    @Override
    public boolean reference() {
        return true;
    }
}

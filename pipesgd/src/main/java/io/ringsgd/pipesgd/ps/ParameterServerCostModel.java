package io.ringsgd.pipesgd.ps;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerSpec;
import io.ringsgd.plan.cost.CostModel;

/**
 * The iteration time of {@code ps} ({@link ParameterServerTrainer}) on P ranks, one of which serves: the P−1 workers
 * compute (C), push n bytes each to the server, whose link takes them one after another, the server adds them up and
 * steps, and the P−1 pulls leave through the same link. Nothing overlaps: T = C + 2L + 2·max((P−1)·n/B, host) +
 * (P−2)·n·γ, where host = α + (P−1)·n·β is the server's own copying of the traffic (the host-only model when there is
 * no link). The plan shows it as the reference point Pipe-SGD's paper compares against, and never recommends it.
 */
public final class ParameterServerCostModel extends SingleSpecCostModel {

    /** The one configuration of the parameter server. */
    public static TrainerSpec spec() {
        return SingleSpec.of(ParameterServerTrainer.NAME);
    }

    /** The model the plan finds through its service file. */
    public ParameterServerCostModel() {
        super(ParameterServerTrainer.NAME, "the parameter server");
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        CostModel cost = model.cost();
        int ranks = model.ranks();
        double compute = model.computeSeconds();
        if (ranks < 2) {
            return new Prediction(spec, Algorithm.AUTO, compute, compute, 0, 0);
        }
        double n = model.bytes();
        double served = (ranks - 1.0) * n;
        double host = cost.alpha() + served * cost.beta();
        LinkModel link = cost.link();
        double phase = link == null ? host
                : link.latency().toNanos() / 1e9 + Math.max(served / link.bytesPerSecond(), host);
        double comm = 2 * phase + (ranks - 2.0) * n * cost.gamma();
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

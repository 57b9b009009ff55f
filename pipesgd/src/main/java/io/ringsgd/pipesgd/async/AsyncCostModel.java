package io.ringsgd.pipesgd.async;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.pipesgd.ps.SingleSpec;
import io.ringsgd.pipesgd.ps.SingleSpecCostModel;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.Prediction;
import io.ringsgd.plan.TrainerSpec;
import io.ringsgd.plan.cost.CostModel;

/**
 * The iteration time of {@code async} ({@link AsyncSgdTrainer}) on P ranks: P−1 workers, each cycling through pull,
 * compute and push on its own, and a master that serves one gradient at a time. A transfer of the model (n bytes) takes
 * x = α + n·β on one host, or L + max(n/B, α + n·β) over a link; applying a gradient and copying the model for the
 * pull take 3 passes over the N parameters (3N·π). A worker's cycle is C + 2x + 3N·π; the master spends 3N·π per
 * gradient plus, over a link, n/B in each direction of its full-duplex link (on one host, 2(α + n·β) of copying).
 * One iteration is P−1 gradients: T = max(C + 2x + 3N·π, (P−1)·(3N·π + m)), m being the master's per-gradient
 * transfer cost; whichever of the workers and the master is slower sets the pace, and nobody waits for a straggler.
 * Shown by the plan as a reference; never recommended (its updates are stale, so time per iteration is not the whole
 * story).
 */
public final class AsyncCostModel extends SingleSpecCostModel {

    /** The one configuration of the async trainer. */
    public static TrainerSpec spec() {
        return SingleSpec.of(AsyncSgdTrainer.NAME);
    }

    /** The model the plan finds through its service file. */
    public AsyncCostModel() {
        super(AsyncSgdTrainer.NAME, "the async trainer");
    }

    @Override
    public Prediction predict(IterationModel model, TrainerSpec spec) {
        double compute = model.computeSeconds();
        int ranks = model.ranks();
        if (ranks < 2) {
            return new Prediction(spec, Algorithm.AUTO, compute, compute, 0, 0);
        }
        CostModel cost = model.cost();
        double n = model.bytes();
        double host = cost.alpha() + n * cost.beta();
        LinkModel link = cost.link();
        double transfer = link == null ? host : link.latency().toNanos() / 1e9
                + Math.max(n / link.bytesPerSecond(), host);
        double master = link == null ? 2 * host : Math.max(n / link.bytesPerSecond(), host);
        double apply = 3 * model.parameters() * model.passSeconds();
        double worker = compute + 2 * transfer + apply;
        double served = (ranks - 1) * (apply + master);
        double t = Math.max(worker, served);
        return new Prediction(spec, Algorithm.AUTO, t, compute, 2 * transfer, t - compute);
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

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
 * The iteration time of {@code async} ({@link AsyncSgdTrainer}) on P ranks, every one a worker: rank 0's own worker
 * takes the model and applies its gradient in memory, the P−1 others pull and push over the transport, and the
 * master serves one gradient at a time. A transfer of the model (n bytes) takes x = α + n·β on one host, or
 * L + max(n/B, α + n·β) over a link; applying a gradient and copying the model for the pull take 3 passes over the N
 * parameters (3N·π). Rank 0's cycle is c₀ = C + 3N·π, another worker's c₁ = C + 2x + 3N·π, so the workers together
 * make 1/c₀ + (P−1)/c₁ gradients a second; the master spends 3N·π per gradient plus, for the P−1 remote ones, over a
 * link n/B in each direction of its full-duplex link (on one host, 2(α + n·β) of copying). One iteration is P
 * gradients: T = max(P / (1/c₀ + (P−1)/c₁), P·3N·π + (P−1)·m), m being the master's per-gradient transfer cost;
 * whichever of the workers and the master is slower sets the pace, and nobody waits for a straggler. Shown by the plan
 * as a reference; never recommended (its updates are stale, so time per iteration is not the whole story).
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
        double own = compute + apply;
        double remote = compute + 2 * transfer + apply;
        double workers = own <= 0 ? 0 : ranks / (1 / own + (ranks - 1) / remote);
        double served = ranks * apply + (ranks - 1) * master;
        double t = Math.max(workers, served);
        return new Prediction(spec, Algorithm.AUTO, t, compute, 2 * transfer, Math.max(0, t - compute));
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

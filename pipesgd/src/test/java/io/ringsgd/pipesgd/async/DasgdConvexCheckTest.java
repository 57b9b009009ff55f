package io.ringsgd.pipesgd.async;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DASGD's claim on a convex problem: softmax regression (with L2 weight decay λ, so the objective has one minimum) on
 * generated data, 2 workers (rank 0, the master, is one of them) in the deterministic mode, delays injected on top so that they grow like √n
 * (⌊0.3·√n⌋, up to 22 updates). The constant step 0.1 gets within 1e-3 of the optimum's training objective without
 * the injected delays and diverges with them; the quasilinear schedule from 0.5 gets within 1e-3 with them. The
 * optimum comes from full-batch gradient descent run to convergence.
 */
@Timeout(300)
class DasgdConvexCheckTest {
    private static final Logger log = LoggerFactory.getLogger(DasgdConvexCheckTest.class);
    private static final DataSpec DATA = DataSpec.synthetic(4000, 500, 32, 4, 0.35, 8);
    private static final double LAMBDA = 1e-2;

    private static TrainConfig.Builder base() {
        return TrainConfig.builder().trainer("async").workers(2).data(DATA).model("softmax").epochs(40).batch(32)
                .weightDecay(LAMBDA).seed(3).option(AsyncOptions.DETERMINISTIC, true);
    }

    /** Mean training loss plus λ/2·|x|², the function the master minimizes. */
    private static double objective(Model m, Batch all, float[] x) {
        double loss = m.lossAndGradient(x, all, new float[x.length]);
        double r = 0;
        for (float v : x) {
            r += (double) v * v;
        }
        return loss + LAMBDA / 2 * r;
    }

    private static TrainResult run(TrainConfig cfg) {
        return Communicators.runLocal(2, comm -> Trainers.create("async").train(comm, cfg, TrainingListener.NONE))
                .get(0);
    }

    @Test
    void quasilinearStepsConvergeUnderGrowingDelaysWhereAConstantStepDiverges() {
        Dataset train = DataSets.load(DATA).train();
        Model m = base().build().modelFactory().create(train.featureCount(), 4);
        Batch all = new Batch(train.size(), train.featureCount());
        all.resize(train.size());
        for (int i = 0; i < train.size(); i++) {
            all.set(i, train, i);
        }
        float[] x = new float[m.parameterCount()];
        float[] g = new float[x.length];
        for (int k = 0; k < 5000; k++) {
            m.lossAndGradient(x, all, g);
            for (int i = 0; i < x.length; i++) {
                x[i] -= g[i] + (float) LAMBDA * x[i];
            }
        }
        double optimum = objective(m, all, x);

        TrainResult constantNoDelay = run(base().lr(0.1).build());
        TrainResult constantDelayed = run(base().lr(0.1).option(AsyncOptions.INJECTED_DELAY.name(), "0.3").build());
        TrainResult quasilinear = run(base().lr(0.5).option(AsyncOptions.LR_SCHEDULE.name(), "quasilinear")
                .option(AsyncOptions.LR_SCALE, 50L).option(AsyncOptions.INJECTED_DELAY.name(), "0.3").build());
        double gapConstant = objective(m, all, constantNoDelay.parameters()) - optimum;
        double gapConstantDelayed = objective(m, all, constantDelayed.parameters()) - optimum;
        double gapQuasilinear = objective(m, all, quasilinear.parameters()) - optimum;
        log.info("optimum {}; gap: constant 0.1 without delays {}, with delays {} (max delay {}); quasilinear 0.5"
                + " with delays {} (max delay {})", optimum, gapConstant, gapConstantDelayed,
                constantDelayed.trainerStats().get("delay_max"), gapQuasilinear,
                quasilinear.trainerStats().get("delay_max"));

        assertThat(gapConstant).as("constant step without injected delays").isLessThan(1e-3);
        assertThat((Long) quasilinear.trainerStats().get("delay_max")).isGreaterThanOrEqualTo(20L);
        assertThat(Double.isNaN(gapConstantDelayed) || gapConstantDelayed > 0.1)
                .as("constant step with delays ~ sqrt(n) stalls or diverges: gap %s", gapConstantDelayed).isTrue();
        assertThat(gapQuasilinear).as("quasilinear step with delays ~ sqrt(n)").isLessThan(1e-3);
    }
}

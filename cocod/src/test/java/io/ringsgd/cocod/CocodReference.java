package io.ringsgd.cocod;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.ShardSampler;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.optim.LrSchedule;
import io.ringsgd.pipesgd.optim.SgdMomentum;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainingSession;

/**
 * CoCoD-SGD (uncompressed) computed serially in one thread, written from the algorithm's definition rather than from
 * the trainer: P simulated workers, each with its own parameters, momentum, shard and batch size. Every τ iterations
 * each worker adds the average of the previous round's snapshots to its local progress, and the new snapshots are
 * averaged (here at once: the value is the same whenever the AllReduce finishes). At each evaluation point and at the
 * end, the round is closed and the workers' models are replaced by their average. Averages are computed as
 * (v_0 + … + v_{P−1}) / P, or Σ (w_r/Σw)·v_r when weighted, which is what the ring computes bit for bit on two ranks.
 */
final class CocodReference {
    private CocodReference() {
    }

    /** The final (common) parameters of {@code cfg} run with CoCoD-SGD on {@code cfg.workers()} simulated ranks. */
    static float[] run(TrainConfig cfg) {
        TrainTestData data = DataSets.load(cfg.data().spec());
        CocodOptions opts = CocodOptions.of(cfg);
        int p = cfg.workers();
        int tau = cfg.option(CocodOptions.LOCAL_STEPS);
        int smallest = Shard.smallestSize(data.train().size(), p);
        int perEpoch = smallest / cfg.data().batch();
        long total = (long) cfg.data().epochs() * perEpoch;
        if (cfg.maxIterations() > 0) {
            total = Math.min(total, cfg.maxIterations());
        }
        LrSchedule schedule = TrainingSession.scheduleFor(cfg, perEpoch);
        Model model = cfg.modelFactory().create(data.featureCount(), data.classCount());
        float[] init = TrainingSession.initialParameters(model, cfg.seed());
        int n = init.length;
        float[][] x = new float[p][];
        float[][] snap = new float[p][n];
        SgdMomentum[] opt = new SgdMomentum[p];
        ShardSampler[] samplers = new ShardSampler[p];
        float[] share = null;
        if (opts.weighted()) {
            share = new float[p];
            double sum = 0;
            for (int r = 0; r < p; r++) {
                sum += opts.batchSize(r);
            }
            for (int r = 0; r < p; r++) {
                share[r] = (float) (opts.batchSize(r) / sum);
            }
        }
        for (int r = 0; r < p; r++) {
            x[r] = init.clone();
            opt[r] = new SgdMomentum(n, cfg.optimizer().momentum(), cfg.optimizer().nesterov(), cfg.optimizer()
                    .weightDecay());
            samplers[r] = new ShardSampler(Shard.of(data.train(), r, p), cfg.seed());
        }
        Batch batch = new Batch(1, data.featureCount());
        float[] g = new float[n];
        float[] avg = null;
        boolean averaged = false;
        long roundStart = 0;
        for (long t = 0; t < total; t++) {
            if (t - roundStart == tau) {
                for (int r = 0; r < p; r++) {
                    if (averaged) {
                        for (int i = 0; i < n; i++) {
                            x[r][i] = avg[i] + (x[r][i] - snap[r][i]);
                        }
                    }
                    System.arraycopy(x[r], 0, snap[r], 0, n);
                }
                avg = average(snap, share);
                averaged = true;
                roundStart = t;
            }
            for (int r = 0; r < p; r++) {
                int b = opts.batchSize(r);
                samplers[r].fill(t, smallest / b, b, batch);
                model.lossAndGradient(x[r], batch, g);
                opt[r].step(x[r], g, schedule.rate(t));
            }
            long done = t + 1;
            boolean evaluation = done < total && (done % perEpoch == 0
                    || (cfg.output().evalEvery() > 0 && done % cfg.output().evalEvery() == 0));
            if (done == total || evaluation) {
                if (averaged) {
                    for (int r = 0; r < p; r++) {
                        for (int i = 0; i < n; i++) {
                            x[r][i] = avg[i] + (x[r][i] - snap[r][i]);
                        }
                    }
                }
                float[] common = average(x, share);
                for (int r = 0; r < p; r++) {
                    System.arraycopy(common, 0, x[r], 0, n);
                }
                averaged = false;
                roundStart = done;
            }
        }
        return x[0];
    }

    private static float[] average(float[][] v, float[] share) {
        int n = v[0].length;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            out[i] = share == null ? v[0][i] : share[0] * v[0][i];
        }
        for (int r = 1; r < v.length; r++) {
            for (int i = 0; i < n; i++) {
                out[i] += share == null ? v[r][i] : share[r] * v[r][i];
            }
        }
        if (share == null) {
            for (int i = 0; i < n; i++) {
                out[i] = out[i] / v.length;
            }
        }
        return out;
    }
}

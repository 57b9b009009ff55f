package io.ringsgd.pipesgd.pipe;

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
import java.util.TreeMap;

/**
 * Pipe-SGD computed serially in one thread, written independently of the trainer: every "rank"'s gradient of its
 * batch at the shared parameters, averaged as (g_0 + g_1 + … + g_{P−1}) / P, queued, and applied K−1 iterations later
 * (immediately during the synchronous warm-up), the rest applied in order at the end.
 */
public final class SerialReference {
    private SerialReference() {
    }

    /** The averaged gradient of step t at parameters w: what the AllReduce of that step delivers. */
    @FunctionalInterface
    public interface StepGradient {
        float[] at(long t, float[] w);
    }

    public static float[] run(TrainConfig cfg, int width) {
        TrainTestData data = DataSets.load(cfg.data().spec());
        int p = cfg.workers();
        Model model = cfg.modelFactory().create(data.featureCount(), data.classCount());
        int perEpoch = Shard.smallestSize(data.train().size(), p) / cfg.data().batch();
        ShardSampler[] samplers = new ShardSampler[p];
        for (int r = 0; r < p; r++) {
            samplers[r] = new ShardSampler(Shard.of(data.train(), r, p), cfg.seed());
        }
        Batch batch = new Batch(cfg.data().batch(), data.featureCount());
        float[] g = new float[model.parameterCount()];
        return run(cfg, width, (t, w) -> {
            float[] sum = new float[w.length];
            for (int r = 0; r < p; r++) {
                samplers[r].fill(t, perEpoch, cfg.data().batch(), batch);
                model.lossAndGradient(w, batch, g);
                for (int i = 0; i < w.length; i++) {
                    sum[i] += g[i];
                }
            }
            for (int i = 0; i < w.length; i++) {
                sum[i] = sum[i] / p;
            }
            return sum;
        });
    }

    /** The run of {@code cfg} at width {@code width} with the averaged gradients of {@code gradient}. */
    public static float[] run(TrainConfig cfg, int width, StepGradient gradient) {
        TrainTestData data = DataSets.load(cfg.data().spec());
        int p = cfg.workers();
        Model model = cfg.modelFactory().create(data.featureCount(), data.classCount());
        float[] w = TrainingSession.initialParameters(model, cfg.seed());
        int n = w.length;
        SgdMomentum opt = new SgdMomentum(n, cfg.optimizer().momentum(), cfg.optimizer().nesterov(), cfg.optimizer()
                .weightDecay());
        int perEpoch = Shard.smallestSize(data.train().size(), p) / cfg.data().batch();
        long total = (long) cfg.data().epochs() * perEpoch;
        if (cfg.maxIterations() > 0) {
            total = Math.min(total, cfg.maxIterations());
        }
        LrSchedule schedule = TrainingSession.scheduleFor(cfg, perEpoch);
        TreeMap<Long, float[]> queue = new TreeMap<>();
        long warmup = cfg.option(PipeSgdTrainer.SYNC_WARMUP);
        for (long t = 0; t < total; t++) {
            queue.put(t, gradient.at(t, w));
            long due = t < warmup ? t : (t - (width - 1) >= warmup ? t - (width - 1) : -1);
            if (due >= 0) {
                opt.step(w, queue.remove(due), schedule.rate(due));
            }
        }
        while (!queue.isEmpty()) {
            var e = queue.pollFirstEntry();
            opt.step(w, e.getValue(), schedule.rate(e.getKey()));
        }
        return w;
    }
}

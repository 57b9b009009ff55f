package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.PerSampleGradients;
import io.ringsgd.pipesgd.train.TrainingSession;

/**
 * One rank's differentially private gradient of a step, to be AVG-all-reduced like an ordinary one: a Poisson sample
 * of the rank's shard, the sum of its per-sample gradients weighted by the {@link SampleWeighting}, plus this rank's
 * share of the noise, divided by the batch per worker. The AVG over P ranks then yields
 * (Σ weighted gradients of the job + N(0, σ²C²)) / (P × batch), the DP-SGD gradient over the expected global batch.
 * CPU only; one per rank.
 */
public final class DpGradient {
    private final TrainingSession session;
    private final DpSettings settings;
    private final Model model;
    private final PerSampleLoop loop;
    private final SampleWeighting weighting;
    private final PoissonSampler sampler;
    private final GaussianNoise noise;
    private final RdpAccountant accountant;
    private final Batch batch;
    private final float scale;

    /**
     * The DP gradient of {@code session}'s rank under {@code settings}.
     *
     * @throws IllegalArgumentException if the session computes on a device or its rank has no shard
     */
    public DpGradient(TrainingSession session, DpSettings settings) {
        if (session.parameters().onDevice()) {
            throw new IllegalArgumentException("--dp computes per-sample gradients on the CPU: use --device cpu");
        }
        this.session = session;
        this.settings = settings;
        this.model = session.model();
        this.loop = model instanceof PerSampleGradients ? null : new PerSampleLoop(model);
        this.weighting = settings.weighting();
        Dataset train = session.data().train();
        int ranks = session.workers();
        double q = DpSettings.samplingRate(session.config(), train.size(), ranks);
        long seed = session.config().seed();
        this.sampler = new PoissonSampler(Shard.of(train, session.rank(), ranks), q, seed);
        this.noise = new GaussianNoise(seed, session.rank(), ranks, settings.noise(), settings.clip());
        this.accountant = settings.accountant(q);
        this.batch = new Batch(session.config().data().batch(), train.featureCount());
        this.scale = 1f / session.config().data().batch();
    }

    /**
     * Overwrites {@code grad} with this rank's part of step {@code step}'s DP gradient at {@code params}.
     *
     * @return the mean loss of the step's Poisson batch on this rank (0 if it drew no sample)
     */
    public double compute(long step, float[] params, float[] grad) {
        sampler.fill(step, batch);
        double loss = model instanceof PerSampleGradients p ? p.weightedGradientSum(params, batch, weighting, grad)
                : loop.weightedGradientSum(params, batch, weighting, grad);
        noise.add(grad, step);
        for (int j = 0; j < grad.length; j++) {
            grad[j] *= scale;
        }
        return loss;
    }

    /** ε after {@code steps} steps at the configured δ. */
    public double epsilon(long steps) {
        return accountant.epsilon(steps, settings.delta());
    }

    /** Puts dp_epsilon, dp_delta and the settings into the run's trainer statistics (summary.json). */
    public void report(long steps) {
        session.putTrainerStat("dp_epsilon", epsilon(steps));
        session.putTrainerStat("dp_delta", settings.delta());
        session.putTrainerStat("dp_method", settings.method());
        session.putTrainerStat("dp_clip", settings.clip());
        session.putTrainerStat("dp_noise", settings.noise());
        session.putTrainerStat("dp_sampling_rate", accountant.samplingRate());
        session.putTrainerStat("dp_steps", steps);
    }
}

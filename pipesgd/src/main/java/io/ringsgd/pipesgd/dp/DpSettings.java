package io.ringsgd.pipesgd.dp;

import io.ringsgd.pipesgd.compute.ComputeDevice;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainerOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.LongFunction;

/**
 * The options of differentially private SGD ({@code --dp psac|clip|autos --dp-clip C --dp-noise σ --dp-delta δ}),
 * declared by the trainers that support them (sync and pipe; the others refuse them), and what follows from them: the
 * weighting, the sampling rate and the privacy spent. Immutable.
 */
public final class DpSettings {
    /** The per-sample weighting; absent means no DP. */
    public static final TrainerOption<String> METHOD = TrainerOption.text("dp", "psac|clip|autos", "off",
            "differentially private SGD with per-sample weighting: psac (DP-PSAC's adaptive weight), clip "
                    + "(constant clipping) or autos (Auto-S normalisation); Poisson-sampled batches, CPU only");
    /** The clip bound C. */
    public static final TrainerOption<Double> CLIP = TrainerOption.real("dp-clip", 1.0, 0, 1e6,
            "DP clip bound C: a weighted per-sample gradient is at most C long");
    /** The noise multiplier σ. */
    public static final TrainerOption<Double> NOISE = TrainerOption.real("dp-noise", 1.0, 0, 1e6,
            "DP noise multiplier sigma: each step's global gradient sum gets N(0, sigma^2 C^2) per coordinate");
    /** The δ at which ε is reported. */
    public static final TrainerOption<Double> DELTA = TrainerOption.real("dp-delta", 1e-5, 0, 0.1,
            "DP delta at which epsilon is reported");
    /** The four, for a trainer provider's option list. */
    public static final List<TrainerOption<?>> OPTIONS = List.of(METHOD, CLIP, NOISE, DELTA);

    private final String method;
    private final double clip;
    private final double noise;
    private final double delta;

    private DpSettings(String method, double clip, double noise, double delta) {
        this.method = method;
        this.clip = clip;
        this.noise = noise;
        this.delta = delta;
    }

    /**
     * The DP settings of {@code cfg}, or null when {@code --dp} is not given.
     *
     * @throws IllegalArgumentException (one line) for an unknown method, a {@code --dp-*} option without {@code --dp},
     *     or a device other than the CPU
     */
    public static DpSettings of(TrainConfig cfg) {
        String m = cfg.option(METHOD);
        if (m == null) {
            for (TrainerOption<?> o : List.of(CLIP, NOISE, DELTA)) {
                if (cfg.options().containsKey(o.name())) {
                    throw new IllegalArgumentException("--" + o.name() + " has no effect without --dp: add --dp psac "
                            + "(or clip, autos) or drop it");
                }
            }
            return null;
        }
        String method = SampleWeighting.of(m, 1.0).name();
        ComputeDevice d = cfg.device();
        if (d == ComputeDevice.CUDA || d == ComputeDevice.HOST_DEVICE) {
            throw new IllegalArgumentException("--dp computes per-sample gradients on the CPU, got --device "
                    + d.name().toLowerCase(Locale.ROOT).replace('_', '-') + ": use --device cpu or auto");
        }
        return new DpSettings(method, cfg.option(CLIP), cfg.option(NOISE), cfg.option(DELTA));
    }

    /** The weighting of the samples' gradients. */
    public SampleWeighting weighting() {
        return SampleWeighting.of(method, clip);
    }

    /** psac, clip or autos. */
    public String method() {
        return method;
    }

    /** The clip bound C. */
    public double clip() {
        return clip;
    }

    /** The noise multiplier σ. */
    public double noise() {
        return noise;
    }

    /** The δ of the reported ε. */
    public double delta() {
        return delta;
    }

    /**
     * The probability q that a sample joins a step's batch: the batch per worker over the smallest shard, the same q on
     * every rank (a sample of a larger shard joins with a slightly smaller probability, so q bounds every sample's).
     *
     * @param cfg       the run's configuration
     * @param trainSize training samples
     * @param shards    shards the training set is cut into (one per computing rank)
     * @throws IllegalArgumentException (one line) if the batch is larger than a shard
     */
    public static double samplingRate(TrainConfig cfg, int trainSize, int shards) {
        int shard = Shard.smallestSize(trainSize, shards);
        if (cfg.data().batch() > shard) {
            throw new IllegalArgumentException("--batch " + cfg.data().batch() + " exceeds the " + shard
                    + " samples of a shard: use a smaller --batch");
        }
        return (double) cfg.data().batch() / shard;
    }

    /** The accountant of these settings at sampling rate {@code q}. */
    public RdpAccountant accountant(double q) {
        return new RdpAccountant(q, noise);
    }

    /** What a resumed run must share with its checkpoint (a change would break the accounting). */
    public Map<String, String> resumeSettings() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(METHOD.name(), method);
        m.put(CLIP.name(), Double.toString(clip));
        m.put(NOISE.name(), Double.toString(noise));
        return m;
    }

    /**
     * For progress lines: the privacy spent after a number of steps, e.g. "epsilon 2.95 (delta 1e-05)".
     *
     * @param q the sampling rate ({@link #samplingRate})
     * @return steps to text
     */
    public LongFunction<String> progressNote(double q) {
        RdpAccountant a = accountant(q);
        return steps -> String.format(Locale.ROOT, "epsilon %.3f (delta %.0e)", a.epsilon(steps, delta), delta);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "dp %s C=%s sigma=%s delta=%s", method, clip, noise, delta);
    }
}

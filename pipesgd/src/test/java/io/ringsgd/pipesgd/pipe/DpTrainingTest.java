package io.ringsgd.pipesgd.pipe;

import static io.ringsgd.gpu.FloatArrays.maxAbs;
import static io.ringsgd.gpu.FloatArrays.maxAbsDiff;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.Shard;
import io.ringsgd.pipesgd.data.TrainTestData;
import io.ringsgd.pipesgd.dp.DpSettings;
import io.ringsgd.pipesgd.dp.GaussianNoise;
import io.ringsgd.pipesgd.dp.PoissonSampler;
import io.ringsgd.pipesgd.dp.RdpAccountant;
import io.ringsgd.pipesgd.dp.SampleWeighting;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code --dp} in the sync and pipe trainers: the right numbers against a serial reference, ε, and refusals. */
@Timeout(120)
class DpTrainingTest {

    static TrainConfig.Builder dp(String trainer, int workers, String method) {
        return PipeSgdTest.small(workers).trainer(trainer).epochs(1).maxIterations(12).option(DpSettings.METHOD,
                method).option(DpSettings.CLIP, 0.5).option(DpSettings.NOISE, 0.8);
    }

    @Test
    void dpRunsMatchASerialReferenceAndEveryRankEndsBitIdentical() {
        for (String method : List.of("psac", "clip", "autos")) {
            for (int workers : new int[] {1, 3}) {
                TrainConfig cfg = dp("sync", workers, method).build();
                checkAgainstReference(cfg, 1);
            }
        }
        checkAgainstReference(dp("pipe", 2, "psac").option(PipeSgdTrainer.WIDTH, 2).build(), 2);
        // The convolutional model takes the per-sample loop.
        checkAgainstReference(dp("sync", 2, "clip").data(PipeSgdTest.IMAGES).model(PipeSgdTest.CNN).maxIterations(4)
                .build(), 1);
    }

    private static void checkAgainstReference(TrainConfig cfg, int width) {
        List<TrainResult> results = PipeSgdTest.train(cfg);
        for (TrainResult r : results) {
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(results.get(0).paramsSha256());
        }
        float[] expected = serial(cfg, width);
        float[] actual = results.get(0).parameters();
        assertThat(maxAbsDiff(actual, expected)).as("%s", cfg).isLessThan(1e-5f * maxAbs(expected));
    }

    @Test
    void theSummaryCarriesEpsilonOfTheStepsTakenAtDelta() {
        TrainConfig cfg = dp("sync", 2, "psac").option(DpSettings.DELTA, 1e-4).build();
        TrainResult r = PipeSgdTest.train(cfg).get(0);
        double q = 10.0 / 300; // batch 10 of a shard of 600 / 2
        assertThat(r.trainerStats().get("dp_epsilon")).isEqualTo(new RdpAccountant(q, 0.8).epsilon(12, 1e-4));
        assertThat(r.trainerStats().get("dp_delta")).isEqualTo(1e-4);
        assertThat(r.trainerStats().get("dp_steps")).isEqualTo(12L);
        assertThat((double) r.trainerStats().get("dp_epsilon")).isGreaterThan(0);
    }

    @Test
    void aCrashedDpRunResumesBitForBitAndRefusesOtherNoise(@TempDir Path tmp) {
        TrainConfig cfg = dp("pipe", 2, "psac").option(PipeSgdTrainer.WIDTH, 2).checkpointEvery(5).build();
        TrainResult uninterrupted = PipeSgdTest.train(cfg).get(0);
        TrainConfig first = cfg.toBuilder().checkpointDir(tmp).build();
        TrainingListener crash = new TrainingListener() {
            @Override
            public void onIteration(IterationStats s) {
                if (s.iteration() == 8) {
                    throw new IllegalStateException("simulated crash");
                }
            }
        };
        assertThatThrownBy(() -> Communicators.runLocal(2, comm -> Trainers.create("pipe").train(comm, first, crash)))
                .hasMessageContaining("simulated crash");
        for (TrainResult r : PipeSgdTest.train(first.toBuilder().resume(true).build())) {
            assertThat(r.startIteration()).isEqualTo(5);
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(uninterrupted.paramsSha256());
            assertThat(r.trainerStats().get("dp_epsilon")).isEqualTo(uninterrupted.trainerStats().get("dp_epsilon"));
        }
        TrainConfig noisier = first.toBuilder().option(DpSettings.NOISE, 2.0).resume(true).build();
        assertThatThrownBy(() -> PipeSgdTest.train(noisier)).hasMessageContaining("dp-noise");
    }

    @Test
    void trainersWithoutDpAndBadSettingsAreRefusedInOneLine() {
        assertThatThrownBy(() -> PipeSgdTest.small(2).trainer("async").option("dp", "psac").build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("trainer async has no option dp")
                .hasMessageContaining("sync").hasMessageContaining("pipe");
        assertThatThrownBy(() -> dp("sync", 2, "gauss").build()).hasMessageContaining("--dp must be psac, clip or "
                + "autos, got 'gauss'");
        assertThatThrownBy(() -> PipeSgdTest.small(2).trainer("sync").option(DpSettings.CLIP, 1.0).build())
                .hasMessage("--dp-clip has no effect without --dp: add --dp psac (or clip, autos) or drop it");
        assertThatThrownBy(() -> dp("sync", 2, "psac").option("dp-noise", "0").build())
                .hasMessageContaining("dp-noise must be above 0.0");
        assertThatThrownBy(() -> dp("sync", 2, "psac").device("cuda").build())
                .hasMessage("--dp computes per-sample gradients on the CPU, got --device cuda: use --device cpu or "
                        + "auto");
    }

    /**
     * DP-SGD computed serially: each "rank" draws its Poisson batch, sums its samples' gradients (one gradient call
     * per sample, not the trainer's dense shortcut) weighted by their norms, adds its noise share, divides by the batch;
     * the ranks' vectors are averaged and applied as {@link SerialReference} applies gradients.
     */
    private static float[] serial(TrainConfig cfg, int width) {
        TrainTestData data = DataSets.load(cfg.data().spec());
        int p = cfg.workers();
        Model model = cfg.modelFactory().create(data.featureCount(), data.classCount());
        int n = model.parameterCount();
        double q = (double) cfg.data().batch() / Shard.smallestSize(data.train().size(), p);
        double clip = cfg.option(DpSettings.CLIP);
        SampleWeighting weighting = SampleWeighting.of(cfg.option(DpSettings.METHOD), clip);
        Batch batch = new Batch(1, data.featureCount());
        Batch one = new Batch(1, data.featureCount());
        float[] g = new float[n];
        return SerialReference.run(cfg, width, (t, w) -> {
            float[] avg = new float[n];
            for (int r = 0; r < p; r++) {
                new PoissonSampler(Shard.of(data.train(), r, p), q, cfg.seed()).fill(t, batch);
                float[] sum = new float[n];
                for (int i = 0; i < batch.size(); i++) {
                    one.resize(1);
                    System.arraycopy(batch.features(), i * data.featureCount(), one.features(), 0,
                            data.featureCount());
                    one.labels()[0] = batch.labels()[i];
                    model.lossAndGradient(w, one, g);
                    double sq = 0;
                    for (float v : g) {
                        sq += (double) v * v;
                    }
                    double f = weighting.factor(Math.sqrt(sq));
                    for (int j = 0; j < n; j++) {
                        sum[j] += (float) (f * g[j]);
                    }
                }
                new GaussianNoise(cfg.seed(), r, p, cfg.option(DpSettings.NOISE), clip).add(sum, t);
                for (int j = 0; j < n; j++) {
                    avg[j] += sum[j] / cfg.data().batch() / p;
                }
            }
            return avg;
        });
    }
}

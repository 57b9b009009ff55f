package io.ringsgd.pipesgd.async;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.Batch;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.metrics.SummaryJson;
import io.ringsgd.pipesgd.model.Evaluation;
import io.ringsgd.pipesgd.model.Model;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.pipesgd.model.Models;
import io.ringsgd.pipesgd.train.IterationStats;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The asynchronous trainer: every rank ends with the master's model, the delays are recorded, it converges like
 * synchronous SGD on a convex problem, and in the deterministic mode it is reproducible and resumes bit for bit.
 */
@Timeout(120)
class AsyncSgdTrainerTest {
    private static final DataSpec DATA = DataSpec.synthetic(600, 200, 12, 3, 0.15, 5);
    private static final DataSpec CONVEX = DataSpec.synthetic(4000, 1000, 32, 4, 0.35, 8);

    @TempDir
    Path tmp;

    static TrainConfig.Builder small(int workers) {
        return TrainConfig.builder().trainer("async").workers(workers).data(DATA).model("mlp").hidden(8).epochs(2)
                .batch(10).lr(0.05).weightDecay(1e-3).seed(11);
    }

    static List<TrainResult> train(TrainConfig cfg, TrainingListener listener) {
        return Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer()).train(comm, cfg,
                listener));
    }

    private static void bitIdentical(List<TrainResult> rs) {
        for (TrainResult r : rs) {
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(rs.get(0).paramsSha256());
        }
    }

    @Test
    void everyRankEndsWithTheMastersModelAndTheDelaysAreRecorded() {
        List<TrainResult> rs = train(small(4).build(), TrainingListener.NONE);
        bitIdentical(rs);
        Map<String, Object> stats = rs.get(0).trainerStats();
        // 600 samples over 4 workers (rank 0 computes too), batch 10: 15 iterations per epoch of 4 gradients each,
        // 2 epochs.
        assertThat(rs.get(0).iterations()).isEqualTo(30);
        assertThat(stats.get("updates")).isEqualTo(120L);
        @SuppressWarnings("unchecked")
        Map<Long, Long> histogram = (Map<Long, Long>) stats.get("delay_histogram");
        assertThat(histogram.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(120);
        assertThat(SummaryJson.toJson(rs.get(0))).contains("\"trainer_stats\": {\"updates\": 120, \"delay_mean\": ");
        for (TrainResult r : rs) {
            assertThat(r.computeMs()).as("rank %d computes gradients (the master too)", r.rank()).isPositive();
        }
    }

    @Test
    void theDeterministicModeIsReproducibleWithRoundRobinDelays() {
        TrainConfig cfg = small(3).option(AsyncOptions.DETERMINISTIC, true).build();
        List<TrainResult> a = train(cfg, TrainingListener.NONE);
        List<TrainResult> b = train(cfg.toBuilder().straggler("1:3").build(), TrainingListener.NONE);
        bitIdentical(a);
        assertThat(b.get(0).paramsSha256()).isEqualTo(a.get(0).paramsSha256());
        // Three workers (rank 0 among them) taken in turn, 2 x 20 x 3 updates: in each epoch the first is fresh, the
        // second one update old, the others two, but for the epoch's last two, taken out of turn once the first
        // worker is done (3 and 1).
        assertThat(a.get(0).trainerStats().get("delay_histogram")).isEqualTo(Map.of(0L, 2L, 1L, 4L, 2L, 112L,
                3L, 2L));
    }

    @Test
    void convergesLikeSynchronousSgdOnAConvexProblem() {
        // Equal samples: sync's 4 workers and async's 4 take the same number of mini-batches in 3 epochs.
        TrainConfig.Builder b = TrainConfig.builder().workers(4).data(CONVEX).model("softmax").epochs(3).batch(16)
                .weightDecay(0).seed(3);
        TrainResult sync = train(b.trainer("sync").build(), TrainingListener.NONE).get(0);
        TrainResult async = train(b.trainer("async").build(), TrainingListener.NONE).get(0);
        assertThat(async.finalTestAccuracy()).isGreaterThan(sync.finalTestAccuracy() - 0.02);
    }

    /** The master throws at iteration {@code at}, as if the job were killed. */
    private static TrainingListener crashAt(long at) {
        return new TrainingListener() {
            @Override
            public void onIteration(IterationStats s) {
                if (s.iteration() == at) {
                    throw new IllegalStateException("simulated crash at iteration " + at);
                }
            }
        };
    }

    @Test
    void resumesBitForBitInTheDeterministicMode() {
        TrainConfig.Builder b = small(4).option(AsyncOptions.DETERMINISTIC, true).evalEvery(8)
                .option(AsyncOptions.LR_SCHEDULE.name(), "quasilinear").option(AsyncOptions.LR_SCALE, 20L)
                .option(AsyncOptions.INJECTED_DELAY.name(), "1.5").epochs(3);
        String reference = train(b.build(), TrainingListener.NONE).get(0).paramsSha256();
        TrainConfig.Builder ck = b.build().toBuilder().checkpointEvery(7);
        TrainResult full = train(ck.checkpointDir(tmp.resolve("full")).build(), TrainingListener.NONE).get(0);
        assertThat(full.paramsSha256()).as("checkpoints do not change the run").isEqualTo(reference);
        Path dir = tmp.resolve("crashed");
        TrainConfig first = ck.checkpointDir(dir).build();
        assertThatThrownBy(() -> train(first, crashAt(42))).hasMessageContaining("simulated crash");
        List<TrainResult> resumed = train(ck.checkpointDir(dir).resume(true).build(), TrainingListener.NONE);
        for (TrainResult r : resumed) {
            assertThat(r.startIteration()).isEqualTo(40);
            assertThat(r.paramsSha256()).as("rank %d", r.rank()).isEqualTo(full.paramsSha256());
        }
        assertThat(resumed.get(0).trainerStats()).isEqualTo(full.trainerStats());
    }

    /**
     * A model whose fifth gradient, on the first rank to get there, throws: a worker dying mid-run. With
     * {@code onlyOffProgressThread}, only a gradient computed off the communicators' progress threads counts: in the
     * non-deterministic mode that is the master's own worker (on rank 0's training thread), since the other ranks
     * compute inside the trainer's collective.
     */
    private static final class Mortal implements Model {
        private final Model inner;
        private final AtomicBoolean died;
        private final boolean onlyOffProgressThread;
        private int calls;

        Mortal(Model inner, AtomicBoolean died) {
            this(inner, died, false);
        }

        Mortal(Model inner, AtomicBoolean died, boolean onlyOffProgressThread) {
            this.inner = inner;
            this.died = died;
            this.onlyOffProgressThread = onlyOffProgressThread;
        }

        @Override
        public String describe() {
            return inner.describe();
        }

        @Override
        public int inputSize() {
            return inner.inputSize();
        }

        @Override
        public int classCount() {
            return inner.classCount();
        }

        @Override
        public int parameterCount() {
            return inner.parameterCount();
        }

        @Override
        public void initialize(float[] params, long seed) {
            inner.initialize(params, seed);
        }

        @Override
        public double lossAndGradient(float[] params, Batch batch, float[] grad) {
            boolean counts = !onlyOffProgressThread || !Thread.currentThread().getName().startsWith("ringsgd-progress");
            if (counts && ++calls == 5 && died.compareAndSet(false, true)) {
                throw new IllegalStateException("simulated worker death");
            }
            return inner.lossAndGradient(params, batch, grad);
        }

        @Override
        public void evaluateBatch(float[] params, Batch batch, Evaluation.Tally tally) {
            inner.evaluateBatch(params, batch, tally);
        }
    }

    @Test
    void aWorkerThatDiesEndsTheJobOnEveryRank() {
        AtomicBoolean died = new AtomicBoolean();
        ModelFactory mortal = (features, classes) -> new Mortal(Models.factory("mlp", new int[] {8})
                .create(features, classes), died);
        TrainConfig cfg = small(4).modelFactory(mortal).build();
        assertThatThrownBy(() -> train(cfg, TrainingListener.NONE)).satisfies(e -> {
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t).append('\n');
            }
            assertThat(chain.toString()).contains("simulated worker death");
        });
    }

    @Test
    void theMastersOwnWorkerDyingEndsTheJobOnEveryRank() {
        AtomicBoolean died = new AtomicBoolean();
        ModelFactory mortal = (features, classes) -> new Mortal(Models.factory("mlp", new int[] {8})
                .create(features, classes), died, true);
        TrainConfig cfg = small(4).modelFactory(mortal).build();
        assertThatThrownBy(() -> train(cfg, TrainingListener.NONE)).satisfies(e -> {
            StringBuilder chain = new StringBuilder();
            for (Throwable t = e; t != null; t = t.getCause()) {
                chain.append(t).append('\n');
            }
            assertThat(chain.toString()).contains("simulated worker death");
        });
        assertThat(died).as("rank 0's own worker computed off the progress thread and died").isTrue();
    }

    @Test
    void badSettingsAreOneLine() {
        assertThatThrownBy(() -> small(1).build()).hasMessage("the async trainer needs at least 2 ranks (a master and"
                + " a worker), got --workers 1");
        assertThatThrownBy(() -> small(3).momentum(0.9).build()).hasMessage("trainer async applies plain SGD steps"
                + " with --lr-schedule: drop --momentum 0.9");
        assertThatThrownBy(() -> small(3).option(AsyncOptions.LR_SCHEDULE.name(), "cosine").build())
                .hasMessage("unknown --lr-schedule 'cosine': use constant, poly or quasilinear");
        assertThatThrownBy(() -> small(3).option(AsyncOptions.LR_POWER.name(), "x").build())
                .hasMessage("lr-power 'x' is not a number: pass e.g. lr-power=0.5");
    }
}

package io.ringsgd.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.pipesgd.async.AsyncCostModel;
import io.ringsgd.pipesgd.ps.ParameterServerCostModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The trainers' iteration-time models (sync and pipe from ringsgd-pipesgd, cocod from ringsgd-cocod, the
 * parameter-server reference from this module), found through the cost-model SPI as the plan finds them, which is why
 * this test runs here where every trainer module is on the class path. Hand-computed cases: a 2-rank ring over a 1 ms, 1 GB/s link moving a 1 MB gradient
 * (3 ms), 2 ms of compute, no host costs, so that each trainer's formula can be checked by hand; then properties that
 * must hold for any parameters.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrainerModelsTest {
    private static final long N = 250_000;
    private static final LinkModel LINK = new LinkModel(Duration.ofMillis(1), 1e9);
    /** One segment per ring step, so that the ring is 2 steps of 0.5 ms on the wire + 1 ms latency. */
    private static final CostModel COST = CostModel.of(0, 0, 0).withLink(LINK).withSegmentBytes(1 << 20)
            .withCodec(Compression.INT8, new CostModel.CodecCost(0, 0));

    private static IterationModel.Builder base(double computeSeconds) {
        return IterationModel.builder().cost(COST).ranks(2).parameters(N).computeSeconds(computeSeconds).cores(64);
    }

    private static TrainerSpec spec(String trainer, Integer setting, Compression c, Algorithm a) {
        return TrainerCostModels.of(trainer).spec(setting, c, a);
    }

    private static TrainerSpec sync(Compression c) {
        return spec("sync", null, c, Algorithm.AUTO);
    }

    private static TrainerSpec pipe(int k) {
        return spec("pipe", k, Compression.NONE, Algorithm.AUTO);
    }

    private static TrainerSpec cocod(int tau, Compression c) {
        return spec("cocod", tau, c, Algorithm.AUTO);
    }

    private static double ms(IterationModel m, TrainerSpec s) {
        return m.predict(s).iterationSeconds() * 1e3;
    }

    @Test
    void syncExposesTheWholeAllreduce() {
        IterationModel m = base(2e-3).build();
        Prediction p = m.predict(sync(Compression.NONE));
        assertThat(p.algorithm()).isEqualTo(Algorithm.RING);
        assertThat(p.allreduceSeconds() * 1e3).isCloseTo(3, within(1e-9));
        assertThat(p.iterationMillis()).isCloseTo(5, within(1e-9));
        assertThat(p.exposedSeconds() * 1e3).isCloseTo(3, within(1e-9));
        assertThat(p.communicationBound()).isTrue();
    }

    @Test
    void pipeIsBoundByTheSlowerOfComputeAndAllreduce() {
        IterationModel commBound = base(2e-3).build();
        for (int k = 2; k <= 4; k++) {
            assertThat(ms(commBound, pipe(k))).isCloseTo(3,
                    within(1e-9));
        }
        IterationModel computeBound = base(4e-3).build();
        Prediction p = computeBound.predict(pipe(2));
        assertThat(p.iterationMillis()).isCloseTo(4, within(1e-9));
        assertThat(p.communicationBound()).isFalse();
        // Width 1 is synchronous.
        assertThat(ms(commBound, pipe(1))).isEqualTo(ms(commBound, sync(Compression.NONE)));
    }

    @Test
    void ranksThatNeverWaitComputeFreeRunning() {
        // Compute-bound: free-running compute (5 ms) decides; sync keeps the lock-step time (4 ms).
        IterationModel m = base(4e-3).freeRunningComputeSeconds(5e-3).build();
        assertThat(ms(m, pipe(2))).isCloseTo(5, within(1e-9));
        assertThat(ms(m, sync(Compression.NONE))).isCloseTo(7, within(1e-9));
        assertThat(ms(m, cocod(4, Compression.NONE))).isCloseTo(5, within(1e-9));
        // Communication-bound: the ranks wait, compute in lock step, and the allreduce decides.
        IterationModel slow = base(1e-3).freeRunningComputeSeconds(1.5e-3).build();
        assertThat(ms(slow, pipe(2))).isCloseTo(3, within(1e-9));
        assertThat(slow.freeRunningComputeSeconds()).isEqualTo(1.5e-3);
        // Free-running may also be faster than lock step (4 ranks on 2 cores that never wait keep both busy):
        // compute-bound runs at that speed, communication-bound ones wait and run in lock step.
        IterationModel quick = base(8e-3).freeRunningComputeSeconds(6e-3).build();
        assertThat(ms(quick, pipe(2))).isCloseTo(6, within(1e-9));
        assertThat(ms(quick, sync(Compression.NONE))).isCloseTo(11, within(1e-9));
        IterationModel waiting = base(2e-3).freeRunningComputeSeconds(1.5e-3).build();
        assertThat(ms(waiting, pipe(2))).isCloseTo(3, within(1e-9));
        assertThat(base(1e-3).build().freeRunningComputeSeconds()).isEqualTo(1e-3);
    }

    @Test
    void cocodHidesOneModelAllreducePerTauSteps() {
        IterationModel m = base(2e-3).build();
        assertThat(ms(m, cocod(1, Compression.NONE))).isCloseTo(3, within(1e-9));
        // tau = 2: 4 ms of compute per round covers the 3 ms average.
        assertThat(ms(m, cocod(2, Compression.NONE))).isCloseTo(2, within(1e-9));
        // With vector passes: 1 ns per element, 0.25 ms per pass: AVG division in the allreduce, copy + combine
        // (3 passes) per round.
        IterationModel passes = base(2e-3).passSeconds(1e-9).build();
        assertThat(ms(passes, sync(Compression.NONE))).isCloseTo(5.25, within(1e-9));
        assertThat(ms(passes, cocod(2, Compression.NONE)))
                .isCloseTo((4 + 0.75) / 2, within(1e-9));
        // Compressed, a round also forms the difference from the reference and updates it (2 more passes) and
        // applies error feedback once (4 ns per element: 1 ms), not once per step.
        IterationModel compressed = base(2e-3).passSeconds(1e-9).feedbackSeconds(Compression.INT8, 4e-9).build();
        assertThat(ms(compressed, cocod(2, Compression.INT8)))
                .isCloseTo((4 + 5 * 0.25 + 1) / 2, within(1e-9));
    }

    @Test
    void ebspWithEqualWorkersIsARoundOfMinStepsAroundOneAverage() {
        IterationModel m = base(2e-3).passSeconds(1e-9).build();
        for (int minSteps : new int[] {1, 2, 4}) {
            TrainerSpec ebsp = spec("ebsp", minSteps, Compression.NONE, Algorithm.AUTO);
            assertThat(ebsp.localSteps()).isEqualTo(minSteps);
            assertThat(ms(m, ebsp)).isEqualTo(ms(m, cocod(minSteps, Compression.NONE)));
        }
        assertThat(TrainerCostModels.of("ebsp").candidates(Compression.NONE, Algorithm.AUTO)).isEmpty();
    }

    @Test
    void underLoadTheOverlappedAllreduceSlowsWhileComputeRuns() {
        // Loaded: the ring's two sleeps and the hand-over each wake 0.5 ms late: 3 + 1 + 0.5 = 4.5 ms while the
        // 2 ms of compute run, so 2/4.5 of it is done by then and the rest takes (1 - 2/4.5) x 3 ms.
        IterationModel m = base(2e-3).wakeup(0, 0.5e-3).build();
        assertThat(ms(m, pipe(2)))
                .isCloseTo(2 + (1 - 2 / 4.5) * 3, within(1e-9));
        // Sync runs nothing alongside its allreduce.
        assertThat(ms(m, sync(Compression.NONE))).isCloseTo(5, within(1e-9));
        // Once compute outlasts the loaded allreduce, compute alone decides.
        assertThat(ms(base(5e-3).wakeup(0, 0.5e-3).build(), pipe(2)))
                .isCloseTo(5, within(1e-9));
    }

    @Test
    void compressionShrinksTheMessageAndAddsErrorFeedback() {
        IterationModel m = base(2e-3).feedbackSeconds(Compression.INT8, 4e-9).build();
        // int8 chunk of 125000 floats: 125000 bytes + 489 block scales of 4 bytes.
        double ar = 2 * (126956 / 1e9 + 1e-3);
        Prediction p = m.predict(sync(Compression.INT8));
        assertThat(p.algorithm()).isEqualTo(Algorithm.RING);
        assertThat(p.allreduceSeconds()).isCloseTo(ar, within(1e-12));
        assertThat(p.iterationSeconds()).isCloseTo(2e-3 + N * 4e-9 + ar, within(1e-12));
        assertThatThrownBy(() -> m.predict(sync(Compression.FP16)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("fp16");
    }

    @Test
    void theParameterServersLinkCarriesEveryPushAndPull() {
        IterationModel m = base(2e-3).build();
        // 2 ranks: one worker pushes 1 MB and pulls 1 MB through the server's 1 GB/s link, a latency each way.
        assertThat(ms(m, ParameterServerCostModel.spec())).isCloseTo(2 + 2 * (1 + 1), within(1e-9));
        // 4 ranks, host only: the server copies 3 workers' MB in and out.
        IterationModel hostOnly = IterationModel.builder().cost(CostModel.of(1e-5, 1e-9, 0)).ranks(4).parameters(N)
                .computeSeconds(1e-3).build();
        assertThat(hostOnly.predict(ParameterServerCostModel.spec()).iterationSeconds())
                .isCloseTo(1e-3 + 2 * (1e-5 + 3 * 1e6 * 1e-9), within(1e-12));
    }

    @Test
    void asyncIsPacedByTheSlowerOfAWorkersCycleAndTheMaster() {
        // 2 ranks: rank 0 computes a gradient every 2 ms; rank 1 pulls and pushes 1 MB over the 1 GB/s link (1 ms
        // latency each), a cycle of 2 + 2 x 2 ms: 1/2 + 1/6 gradients per ms, an iteration of 2 gradients in 3 ms.
        assertThat(ms(base(2e-3).build(), AsyncCostModel.spec())).isCloseTo(3, within(1e-9));
        // 4 ranks, host only: the master copies each of the 3 other workers' gradients in and its model out, 1.01 ms
        // each, which is slower than the workers (1 ms cycles on rank 0, 1 + 2 x 1.01 ms on the others).
        IterationModel hostOnly = IterationModel.builder().cost(CostModel.of(1e-5, 1e-9, 0)).ranks(4).parameters(N)
                .computeSeconds(1e-3).build();
        assertThat(hostOnly.predict(AsyncCostModel.spec()).iterationSeconds())
                .isCloseTo(3 * 2 * (1e-5 + 1e6 * 1e-9), within(1e-12));
        assertThatThrownBy(() -> spec("async", 2, Compression.NONE, Algorithm.AUTO))
                .hasMessageContaining("name it async");
    }

    @Test
    void oneRankHasNothingToCommunicate() {
        IterationModel m = IterationModel.builder().cost(COST).ranks(1).parameters(N).computeSeconds(2e-3)
                .passSeconds(1e-9).wakeup(1e-3, 1e-3).build();
        for (TrainerSpec s : new TrainerSpec[] {sync(Compression.NONE),
            spec("pipe", 3, Compression.NONE, Algorithm.RING), cocod(4, Compression.NONE), ParameterServerCostModel.spec()}) {
            assertThat(m.predict(s).iterationSeconds()).as(s.label()).isCloseTo(2e-3, within(1e-12));
        }
    }

    @Test
    void propertiesHoldForAnyParameters() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int i = 0; i < 200; i++) {
            CostModel cost = CostModel.of(rnd.nextDouble() * 1e-4, rnd.nextDouble() * 1e-9, rnd.nextDouble() * 1e-9)
                    .withLink(new LinkModel(Duration.ofNanos(rnd.nextLong(2_000_000)), 1e7 + rnd.nextDouble() * 1e10));
            int p = 2 + rnd.nextInt(15);
            IterationModel m = IterationModel.builder().cost(cost).ranks(p).parameters(1 + rnd.nextLong(50_000_000))
                    .computeSeconds(rnd.nextDouble() * 0.1).passSeconds(rnd.nextDouble() * 1e-9)
                    .wakeup(rnd.nextDouble() * 1e-4, rnd.nextDouble() * 3e-3).cores(1 + rnd.nextInt(64)).build();
            double sync = m.predict(sync(Compression.NONE)).iterationSeconds();
            double pipe2 = m.predict(pipe(2)).iterationSeconds();
            assertThat(m.predict(pipe(4)).iterationSeconds())
                    .as("steady state does not depend on K >= 2").isEqualTo(pipe2);
            assertThat(pipe2).as("no faster than compute").isGreaterThanOrEqualTo(m.computeSeconds());
            assertThat(sync).isGreaterThan(m.computeSeconds());
            double previous = Double.POSITIVE_INFINITY;
            for (int tau : new int[] {1, 2, 4, 8}) {
                double t = m.predict(cocod(tau, Compression.NONE)).iterationSeconds();
                assertThat(t).as("more local steps never cost more per iteration").isLessThanOrEqualTo(
                        previous * (1 + 1e-12));
                previous = t;
            }
            // With a core for every thread and no late wake-ups, overlapping never loses.
            IterationModel roomy = IterationModel.builder().cost(cost).ranks(p).parameters(m.parameters())
                    .computeSeconds(m.computeSeconds()).cores(4 * p).build();
            assertThat(roomy.predict(pipe(2)).iterationSeconds())
                    .isLessThanOrEqualTo(roomy.predict(sync(Compression.NONE))
                            .iterationSeconds());
        }
    }

    @Test
    void theBuilderRejectsMissingOrBadInputs() {
        assertThatThrownBy(() -> IterationModel.builder().ranks(2).parameters(N).computeSeconds(1).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cost model");
        assertThatThrownBy(() -> base(1).parameters(0).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("parameters");
        assertThatThrownBy(() -> base(-1).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("compute time");
        assertThatThrownBy(() -> base(1).ranks(0).build()).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranks");
        assertThatThrownBy(() -> base(1).wakeup(-1, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base(1).feedbackSeconds(Compression.NONE, 1e-9))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> base(1).build().predict(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void trainerSpecsRejectWhatNoTrainerRuns() {
        IterationModel m = base(2e-3).build();
        assertThatThrownBy(() -> m.predict(new TrainerSpec("sync", 2, 0, Compression.NONE, Algorithm.AUTO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pipe");
        assertThatThrownBy(() -> cocod(0, Compression.NONE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local steps");
        assertThatThrownBy(() -> m.predict(new TrainerSpec("pipe", 2, 4, Compression.NONE, Algorithm.AUTO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cocod");
        assertThatThrownBy(() -> spec("pipe", 2, Compression.INT8, Algorithm.TREE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ring");
        assertThatThrownBy(() -> m.predict(new TrainerSpec("adam", 1, 0, Compression.NONE, Algorithm.AUTO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("adam");
        assertThat(spec("pipe", 3, Compression.FP16, Algorithm.AUTO).label()).isEqualTo("pipe k=3 fp16 auto");
        assertThat(spec("cocod", 4, Compression.NONE, Algorithm.RING).label()).isEqualTo("cocod tau=4 none ring");
        assertThat(ParameterServerCostModel.spec().label()).isEqualTo("ps");
    }
}

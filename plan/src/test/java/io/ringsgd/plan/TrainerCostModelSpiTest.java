package io.ringsgd.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A trainer adds its cost through the SPI alone: two trainers registered here (no trainer module is on this module's
 * class path) are predicted and planned with the iteration model's building blocks, beside the parameter-server
 * reference this module registers itself. The numbers are the hand-computable case of a 2-rank ring over a 1 ms,
 * 1 GB/s link moving a 1 MB vector: 3 ms per AllReduce.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TrainerCostModelSpiTest {
    private static final long N = 250_000;
    private static final CostModel COST = CostModel.of(0, 0, 0).withLink(new LinkModel(Duration.ofMillis(1), 1e9))
            .withSegmentBytes(1 << 20);

    /** Compute, then the AllReduce: the baseline. */
    private static final class Blocking implements TrainerCostModel {
        @Override
        public String trainer() {
            return "spi-blocking";
        }

        @Override
        public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
            return List.of(spec(null, compression, algorithm));
        }

        @Override
        public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
            return new TrainerSpec(trainer(), 1, 0, compression, algorithm);
        }

        @Override
        public Prediction predict(IterationModel model, TrainerSpec spec) {
            return model.synchronous(spec, model.computeSeconds());
        }

        @Override
        public int caution() {
            return 0;
        }

        @Override
        public boolean baseline() {
            return true;
        }
    }

    /** One AllReduce per τ steps, overlapped with them. */
    private static final class Overlapping implements TrainerCostModel {
        @Override
        public String trainer() {
            return "spi-overlapping";
        }

        @Override
        public List<TrainerSpec> candidates(Compression compression, Algorithm algorithm) {
            return List.of(spec(2, compression, algorithm));
        }

        @Override
        public TrainerSpec spec(Integer setting, Compression compression, Algorithm algorithm) {
            return new TrainerSpec(trainer(), 0, setting == null ? 1 : setting, compression, algorithm);
        }

        @Override
        public Prediction predict(IterationModel model, TrainerSpec spec) {
            return model.overlapped(spec, spec.localSteps(), 0, 0);
        }

        @Override
        public int caution() {
            return 1;
        }
    }

    @BeforeAll
    static void register() {
        TrainerCostModels.register(new Blocking());
        TrainerCostModels.register(new Overlapping());
    }

    private static IterationModel model(double compute) {
        return IterationModel.builder().cost(COST).ranks(2).parameters(N).computeSeconds(compute).cores(64).build();
    }

    @Test
    void registeredTrainersArePredictedWithTheSharedBuildingBlocks() {
        IterationModel m = model(2e-3);
        TrainerSpec blocking = TrainerCostModels.of("spi-blocking").spec(null, Compression.NONE, Algorithm.AUTO);
        assertThat(m.predict(blocking).iterationMillis()).isCloseTo(5, within(1e-9));
        assertThat(m.allreduceSeconds(blocking) * 1e3).isCloseTo(3, within(1e-9));
        // Two steps of 2 ms cover the 3 ms AllReduce: 2 ms per step.
        TrainerSpec overlapping = TrainerCostModels.of("spi-overlapping").spec(2, Compression.NONE, Algorithm.AUTO);
        assertThat(m.predict(overlapping).iterationMillis()).isCloseTo(2, within(1e-9));
        // One step does not: the AllReduce decides.
        TrainerSpec oneStep = TrainerCostModels.of("spi-overlapping").spec(1, Compression.NONE, Algorithm.AUTO);
        assertThat(m.predict(oneStep).iterationMillis()).isCloseTo(3, within(1e-9));
        assertThatThrownBy(() -> m.predict(new TrainerSpec("nobody", 1, 0, Compression.NONE, Algorithm.AUTO)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nobody")
                .hasMessageContaining("spi-blocking");
    }

    @Test
    void thePlanListsEveryRegisteredTrainerAndTheReference() {
        Planner.Plan plan = Planner.plan(model(2e-3), List.of(Algorithm.AUTO));
        assertThat(plan.rows()).extracting(r -> r.prediction().spec().label()).contains("spi-blocking none auto",
                "spi-overlapping tau=2 none auto");
        assertThat(plan.baseline().spec().trainer()).isEqualTo("spi-blocking");
        assertThat(plan.recommended().prediction().spec().trainer()).isEqualTo("spi-overlapping");
        assertThat(plan.recommended().speedup()).isCloseTo(2.5, within(1e-9));
    }

    @Test
    void aCompressedSpecRunsOnTheRing() {
        assertThatThrownBy(() -> new TrainerSpec("x", 1, 0, Compression.INT8, Algorithm.TREE))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ring");
    }
}

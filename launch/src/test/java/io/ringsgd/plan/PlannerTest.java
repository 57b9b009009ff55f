package io.ringsgd.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The planner lists every configuration of every registered trainer once, computes speedups against sync, and
 * recommends sensibly. It runs here, where every trainer module (and so every cost model) is on the class path.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PlannerTest {
    private static final CostModel HOST = CostModel.of(8e-6, 0.1e-9, 0.4e-9)
            .withCodec(Compression.FP16, new CostModel.CodecCost(7e-9, 2.5e-9))
            .withCodec(Compression.INT8, new CostModel.CodecCost(8e-9, 1e-9));

    private static IterationModel model(LinkModel link, long n, double compute) {
        return IterationModel.builder().cost(HOST.withLink(link)).ranks(4).parameters(n).computeSeconds(compute)
                .passSeconds(0.2e-9).feedbackSeconds(Compression.FP16, 5e-9).feedbackSeconds(Compression.INT8, 8e-9)
                .wakeup(0.1e-3, 1.5e-3).cores(2).build();
    }

    @Test
    void everyTrainerWidthTauCompressionAndAlgorithmAppearsOnce() {
        Planner.Plan plan = Planner.plan(model(LinkModel.parse("200us", "1gbit"), 235_146, 7e-3), List.of());
        // none: 4 algorithms x (4 widths + 4 taus); fp16 and int8: the ring x 8; the references: the parameter server
        // and asynchronous SGD.
        assertThat(plan.rows()).hasSize(4 * 8 + 8 + 8 + 2);
        assertThat(plan.rows().stream().map(r -> r.prediction().spec()).distinct().count())
                .isEqualTo(plan.rows().size());
        for (int i = 1; i < plan.rows().size(); i++) {
            assertThat(plan.rows().get(i).prediction().iterationSeconds())
                    .isGreaterThanOrEqualTo(plan.rows().get(i - 1).prediction().iterationSeconds());
        }
        for (Planner.Row r : plan.rows()) {
            assertThat(r.speedup()).isEqualTo(plan.baseline().iterationSeconds() / r.prediction()
                    .iterationSeconds());
        }
        // Only the communicator's own choice: 8 rows per compression, plus the two references (ps, async).
        Planner.Plan auto = Planner.plan(model(null, 1000, 1e-3), List.of(Algorithm.AUTO));
        assertThat(auto.rows()).hasSize(8 * 3 + 2);
        // Without codec times compression is left out.
        IterationModel plain = IterationModel.builder().cost(CostModel.of(1e-6, 1e-9, 1e-9)).ranks(4)
                .parameters(1000).computeSeconds(1e-3).build();
        assertThat(Planner.plan(plain, List.of()).rows()).hasSize(4 * 8 + 2);
    }

    @Test
    void theRecommendationIsTheFastestOrAMoreCautiousNearTie() {
        Planner.Plan plan = Planner.plan(model(LinkModel.parse("200us", "1gbit"), 235_146, 7e-3), List.of());
        Planner.Row rec = plan.recommended();
        assertThat(rec.prediction().spec().trainer()).isNotIn("ps", "async");
        double fastest = plan.rows().stream()
                .filter(r -> !List.of("ps", "async").contains(r.prediction().spec().trainer()))
                .mapToDouble(r -> r.prediction().iterationSeconds()).min().orElseThrow();
        assertThat(rec.prediction().iterationSeconds()).isLessThanOrEqualTo(fastest * (1 + Planner.TIE));
        for (Planner.Row r : plan.rows()) {
            if (r.prediction().iterationSeconds() <= fastest * (1 + Planner.TIE)
                    && !List.of("ps", "async").contains(r.prediction().spec().trainer())) {
                assertThat(Planner.caution(r.prediction().spec()))
                        .isGreaterThanOrEqualTo(Planner.caution(rec.prediction().spec()));
            }
        }
        // Communication costs a lot here, so the recommendation overlaps it and beats sync.
        assertThat(rec.prediction().spec().trainer()).isNotEqualTo("sync");
        assertThat(rec.speedup()).isGreaterThan(1.2);
    }

    @Test
    void whenCommunicationIsFreeSyncIsRecommended() {
        IterationModel free = IterationModel.builder().cost(CostModel.of(0, 0, 0)
                .withLink(new LinkModel(Duration.ZERO, 1e15))).ranks(4).parameters(1000).computeSeconds(5e-3).build();
        Planner.Plan plan = Planner.plan(free, List.of());
        assertThat(plan.recommended().prediction().spec().trainer()).isEqualTo("sync");
        assertThat(plan.recommended().prediction().spec().compression()).isEqualTo(Compression.NONE);
        assertThat(plan.recommended().speedup()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
    }

    @Test
    void theTableAndJsonShowEveryRowAndMarkTheRecommendation() {
        Planner.Plan plan = Planner.plan(model(LinkModel.parse("500us", "500mbit"), 1_000_000, 10e-3), List.of());
        String table = plan.table();
        String[] lines = table.split("\n");
        assertThat(lines).hasSize(plan.rows().size() + 1);
        assertThat(lines[0]).contains("trainer").contains("iter_ms").contains("speedup");
        assertThat(table.chars().filter(c -> c == '*').count()).isEqualTo(1);
        String json = plan.rowsJson();
        assertThat(json).startsWith("[{").endsWith("}]");
        assertThat(json.split("\"predicted_iteration_ms\"", -1)).hasSize(plan.rows().size() + 1);
        assertThat(json.split("\"recommended\":true", -1)).hasSize(2);
        assertThat(plan.recommendation()).contains(plan.recommended().prediction().spec().label());
        assertThatThrownBy(() -> Planner.plan(null, List.of())).isInstanceOf(IllegalArgumentException.class);
    }
}

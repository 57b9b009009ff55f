package io.ringsgd.pipesgd.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.DataSpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code --straggler}: parsed and checked with one-line errors, and it slows a rank without changing results. */
@Timeout(60)
class StragglerTest {
    private static final DataSpec DATA = DataSpec.synthetic(400, 100, 12, 3, 0.15, 5);

    private static TrainConfig.Builder config(String trainer) {
        return TrainConfig.builder().trainer(trainer).workers(3).data(DATA).model("mlp").hidden(8).epochs(1)
                .batch(10).seed(4);
    }

    private static TrainResult train(TrainConfig cfg) {
        List<TrainResult> rs = Communicators.runLocal(cfg.workers(), comm -> Trainers.create(cfg.trainer())
                .train(comm, cfg, TrainingListener.NONE));
        return rs.get(0);
    }

    @Test
    void parsesAndRejectsWithOneLine() {
        assertThat(Straggler.parse("3:2")).isEqualTo(new Straggler(3, 2));
        assertThat(Straggler.parse(" 1 : 1.5 ").toString()).isEqualTo("1:1.5");
        assertThatThrownBy(() -> Straggler.parse("3")).hasMessage("--straggler '3' is not RANK:FACTOR: pass e.g."
                + " --straggler 3:2 (rank 3 computes twice as long)");
        assertThatThrownBy(() -> Straggler.parse("a:2")).hasMessageContaining("integer rank");
        assertThatThrownBy(() -> Straggler.parse("1:0.5")).hasMessageContaining("the factor must be a number >= 1");
        assertThatThrownBy(() -> config("sync").straggler("3:2").build())
                .hasMessage("--straggler 3:2 names rank 3 but there are 3 workers (ranks 0 to 2): name one of them");
    }

    @Test
    void aStragglerChangesTimingNotResults() {
        for (String trainer : List.of("sync", "ps")) {
            TrainResult plain = train(config(trainer).build());
            TrainResult slowed = train(config(trainer).straggler("1:3").build());
            assertThat(slowed.paramsSha256()).as(trainer).isEqualTo(plain.paramsSha256());
        }
        assertThat(config("sync").straggler("1:2").build().cpuOnlyReason()).contains("--straggler");
    }
}

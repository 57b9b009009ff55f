package io.ringsgd.plan.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.plan.cost.CostModel;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The link the cost model picks for a target AllReduce time gives that time, and a target below the latency fails. */
class LinkCalibrationTest {

    @Test
    void theChosenLinkGivesTheRequestedAllreduceTime() {
        CostModel host = CostModel.of(8e-6, 0, 0.37e-9);
        LinkModel link = LinkCalibration.modelledLinkFor(host, Duration.ofNanos(100_000), 4, 940_584, 0.030);
        double t = host.withLink(link).allreduceSeconds(Algorithm.AUTO, 4, 940_584);
        assertThat(t).isCloseTo(0.030, within(0.0003));
        assertThatThrownBy(() -> LinkCalibration.modelledLinkFor(host, Duration.ofMillis(10), 4, 940_584, 0.030))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lower --net-latency");
    }
}

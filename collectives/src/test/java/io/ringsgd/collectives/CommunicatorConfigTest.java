package io.ringsgd.collectives;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A transport's preferred segment size applies only where the user chose none. */
class CommunicatorConfigTest {

    @Test
    void defaultSegmentAppliesOnlyWhenNoneWasChosen() {
        CommunicatorConfig unset = CommunicatorConfig.builder().build();
        assertThat(unset.withDefaultSegment(1 << 20).segmentBytes()).isEqualTo(1 << 20);

        CommunicatorConfig chosen = CommunicatorConfig.builder().segmentBytes(64 << 10).build();
        assertThat(chosen.withDefaultSegment(1 << 20).segmentBytes()).isEqualTo(64 << 10);
        // The choice survives a round trip through the builder...
        assertThat(chosen.toBuilder().window(8).build().withDefaultSegment(1 << 20).segmentBytes())
                .isEqualTo(64 << 10);
        // ...and a transport default is not mistaken for a choice.
        assertThat(unset.withDefaultSegment(1 << 20).withDefaultSegment(512 << 10).segmentBytes())
                .isEqualTo(512 << 10);
    }

    @Test
    void segmentFromSystemPropertyCountsAsChosen() {
        String old = System.getProperty("ringsgd.segment");
        System.setProperty("ringsgd.segment", "128k");
        try {
            assertThat(CommunicatorConfig.fromSystemProperties().withDefaultSegment(1 << 20).segmentBytes())
                    .isEqualTo(128 << 10);
        } finally {
            if (old == null) {
                System.clearProperty("ringsgd.segment");
            } else {
                System.setProperty("ringsgd.segment", old);
            }
        }
    }
}

package io.ringsgd.gpu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gpu-check report: what it prints with and without a GPU, and that it checks what it claims. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class GpuCheckTest {

    private static String run(GpuCheck check, int[] exit) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            exit[0] = check.run(out);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void withoutAGpuItSaysWhyAndSucceeds() {
        if (Devices.cudaAvailable()) {
            return; // covered by checksTheCudaDevice
        }
        int[] exit = {-1};
        String report = run(new GpuCheck(), exit);
        assertThat(exit[0]).isZero();
        assertThat(report).contains("no CUDA device found").contains(Devices.cudaUnavailableReason())
                .doesNotContain("count");
    }

    @Test
    void theHostFallbackRunsTheWholeCheckAndFindsTheResultsIdentical() {
        int[] exit = {-1};
        GpuCheck check = new GpuCheck().ranks(3).sizes(0, 1, 3 * 256 - 1, 3 * 256 + 1, 50_000).segmentBytes(1024)
                .iterations(2).depth(2).timeout(Duration.ofSeconds(30)).hostFallback(true);
        if (Devices.cudaAvailable()) {
            return; // the fallback only applies without a GPU
        }
        String report = run(check, exit);
        assertThat(exit[0]).as(report).isZero();
        assertThat(report).contains("checking the host device instead").contains("device: host")
                .contains("3 ranks").contains("OK:").doesNotContain(" NO ");
        // One row per size plus the extra ops at 1000 elements.
        assertThat(report.lines().filter(l -> l.matches("\\s*\\d+\\s+(SUM|AVG|MIN|MAX|PROD)\\s.*"))).hasSize(9);
    }

    @Test
    void checksTheCudaDevice() {
        if (!Devices.cudaAvailable()) {
            return; // nothing to check here; the skip of the CUDA suites reports why
        }
        int[] exit = {-1};
        String report = run(new GpuCheck().ranks(2).sizes(1, 1000, 300_000).iterations(2), exit);
        assertThat(exit[0]).as(report).isZero();
        assertThat(report).contains("device: cuda:0").contains("OK:");
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> new GpuCheck().ranks(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ranks");
        assertThatThrownBy(() -> new GpuCheck().sizes()).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuCheck().sizes(-1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuCheck().segmentBytes(100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment");
        assertThatThrownBy(() -> new GpuCheck().iterations(0)).isInstanceOf(IllegalArgumentException.class);
    }
}

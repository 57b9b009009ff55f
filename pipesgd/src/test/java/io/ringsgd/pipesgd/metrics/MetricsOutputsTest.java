package io.ringsgd.pipesgd.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.ringsgd.collectives.Communicators;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.pipe.PipeSgdTrainer;
import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainResult;
import io.ringsgd.pipesgd.train.Trainers;
import io.ringsgd.pipesgd.train.TrainingListener;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CSV, PNG and JSON outputs of a small run. */
@Timeout(60)
class MetricsOutputsTest {
    @TempDir
    Path dir;

    @Test
    void writesCsvPlotAndSummary() throws IOException {
        TrainConfig cfg = TrainConfig.builder().trainer("pipe").option(PipeSgdTrainer.WIDTH, 2).workers(2)
                .data(DataSpec.synthetic(400, 100, 6, 3, 0.1, 2)).model("softmax").epochs(2).batch(10).lr(0.3)
                .momentum(0.5).evalEvery(5).outputDir(dir).build();
        MetricsRecorder recorder = new MetricsRecorder();
        List<TrainResult> rs = Communicators.runLocal(2, comm -> Trainers.create("pipe").train(comm, cfg,
                comm.rank() == 0 ? recorder : TrainingListener.NONE));
        TrainResult r = rs.get(0);
        MetricsOutputs.writeAll(dir, recorder, r);

        List<String> csv = Files.readAllLines(dir.resolve(MetricsOutputs.CSV));
        assertThat(csv.get(0)).isEqualTo(MetricsRecorder.HEADER);
        assertThat(csv.stream().filter(l -> l.startsWith("iter,"))).hasSize(40);
        assertThat(csv.stream().filter(l -> l.startsWith("epoch,"))).hasSize(2);
        // evaluations every 5 iterations, at the end of epoch 1 and the final one (20 per epoch)
        assertThat(csv.stream().filter(l -> l.startsWith("eval,"))).hasSize(8);
        for (String line : csv) {
            assertThat(line.split(",", -1)).hasSize(12);
        }
        String lastEval = csv.stream().filter(l -> l.startsWith("eval,")).reduce((a, b) -> b).orElseThrow();
        assertThat(Double.parseDouble(lastEval.split(",")[7])).isEqualTo(r.finalTestAccuracy(),
                org.assertj.core.data.Offset.offset(1e-5));

        byte[] png = Files.readAllBytes(dir.resolve(MetricsOutputs.PNG));
        assertThat(png.length).isGreaterThan(1000);
        assertThat(new String(png, 1, 3, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("PNG");

        String json = Files.readString(dir.resolve(MetricsOutputs.JSON));
        for (String key : new String[] {"trainer", "width", "workers", "epochs", "final_test_accuracy",
            "wall_seconds", "iterations", "mean_iteration_ms", "compute_ms", "comm_wait_ms", "params_sha256"}) {
            assertThat(json).contains("\"" + key + "\": ");
        }
        assertThat(json).contains("\"trainer\": \"pipe\"").contains("\"width\": 2").contains("\"iterations\": 40")
                .contains("\"params_sha256\": \"" + r.paramsSha256() + "\"");
        assertThat(json.trim()).startsWith("{").endsWith("}");
        assertThat(json).doesNotContain(",\n}").doesNotContain("NaN").doesNotContain("Infinity");
    }

    @Test
    void jsonStringsAreEscaped() {
        assertThat(SummaryJson.quote("a\"b\\c\nd\te\u0001")).isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0001\"");
        assertThat(SummaryJson.quote("/usr/share/ü")).isEqualTo("\"/usr/share/ü\"");
    }
}

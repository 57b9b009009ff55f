package io.ringsgd.benchmarks.experiment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The experiment runs every arm and writes results.csv (with the promised columns), results.md and a PNG. */
class ExperimentCommandTest {

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void writesTheTablesAndThePlot(@TempDir Path dir) throws Exception {
        int status = new CommandLine(new ExperimentCommand()).execute("--workers", "2", "--net-latency", "50us",
                "--net-bandwidth", "2gbit", "--epochs", "1", "--model", "softmax",
                "--data", "synthetic:train=2000,test=400", "--trainers", "sync,pipe2,pipe2-int8,cocod2",
                "--evals-per-epoch", "4", "--probe-seconds", "1", "--out", dir.toString());
        assertThat(status).isZero();
        List<String> csv = Files.readAllLines(dir.resolve("results.csv"));
        assertThat(csv.get(0)).startsWith("trainer,width,local_steps,compress,comm_ratio,mean_iteration_ms,"
                + "predicted_iteration_ms,time_to_target_s,final_test_accuracy,speedup_vs_sync");
        assertThat(csv).hasSize(5);
        assertThat(csv.get(1)).startsWith("sync,1,1,none,");
        assertThat(csv.get(3)).startsWith("pipe2-int8,2,1,int8,");
        assertThat(csv.get(4)).startsWith("cocod2,1,2,none,");
        // sync reaches its own target (final accuracy minus 1 point), so its speedup is 1.
        String[] sync = csv.get(1).split(",", -1);
        assertThat(sync[9]).isEqualTo("1.000");
        assertThat(Files.readString(dir.resolve("results.md"))).contains("| pipe2 |").contains("R = ");
        assertThat(Files.readAllBytes(dir.resolve("accuracy.png"))).startsWith((byte) 0x89, (byte) 'P');
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void stragglersRunsEveryTrainerWithOneSlowRank(@TempDir Path dir) throws Exception {
        int status = new CommandLine(new ExperimentCommand()).execute("--stragglers", "--workers", "3", "--epochs",
                "1", "--model", "softmax", "--data", "synthetic:train=1200,test=300", "--out", dir.toString());
        assertThat(status).isZero();
        List<String> csv = Files.readAllLines(dir.resolve("stragglers.csv"));
        assertThat(csv.get(0)).isEqualTo("trainer,samples_per_s,fast_wait_fraction,final_test_accuracy,"
                + "time_to_target_s,train_seconds");
        assertThat(csv).hasSize(5);
        assertThat(csv.subList(1, 5)).extracting(l -> l.split(",")[0]).containsExactly("sync", "cocod", "ebsp",
                "async");
        assertThat(Files.readString(dir.resolve("stragglers.md"))).contains("| ebsp |").contains("rank 2 computes 2x");
        assertThat(Files.readAllBytes(dir.resolve("accuracy.png"))).startsWith((byte) 0x89, (byte) 'P');
        assertThat(Files.readAllBytes(dir.resolve("delays.png"))).startsWith((byte) 0x89, (byte) 'P');
        assertThat(new CommandLine(new ExperimentCommand()).execute("--stragglers", "--comm-ratio", "2")).isNotZero();
    }

    @Test
    void armsParseAndRejectUnknownNames() {
        assertThat(ExperimentArm.parse("pipe2-int8").width()).isEqualTo(2);
        assertThat(ExperimentArm.parse("cocod4").localSteps()).isEqualTo(4);
        assertThatThrownBy(() -> ExperimentArm.parse("adam")).hasMessageContaining("unknown trainer 'adam'");
    }
}

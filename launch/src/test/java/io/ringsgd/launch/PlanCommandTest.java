package io.ringsgd.launch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import picocli.CommandLine;

/**
 * {@code ringsgd plan} run through picocli as Main runs it: the table lists every configuration and recommends one,
 * {@code --json} gives one object with every row, {@code --measure} fits and measures on this machine, and mistakes
 * get a one-line message naming the option.
 */
class PlanCommandTest {

    /** Exit status, stdout and stderr of one run. */
    private record Run(int status, String out, String err) {
    }

    private static Run plan(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new PlanCommand());
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> Main.handle(e, cmd.getErr()));
        int status = cl.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void printsEveryConfigurationAndARecommendation() {
        Run r = plan("--np", "4", "--latency", "200us", "--bandwidth", "1gbit", "--model", "mlp", "--compute-ms", "7");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("np=4").contains("link 200us latency, 1gbit").contains("mlp 784-256-128-10")
                .contains("235146 parameters").contains("(given)").contains("defaults, not measured");
        String[] rows = Arrays.stream(r.out().split("\n")).filter(l -> l.matches("^[* ] (sync|pipe|cocod|ps) .*"))
                .toArray(String[]::new);
        // none: 4 algorithms x (widths 1-4 + tau 1, 2, 4, 8); fp16, int8, 2bit, 1bit and ternary (the compressed ring
        // or the encoded all-gather, shown as ring); the parameter server.
        assertThat(rows).hasSize(4 * 8 + 5 * 8 + 1);
        assertThat(r.out()).contains("# ternary: encode").contains("ternary-allgather").contains("int8-ring");
        assertThat(Arrays.stream(rows).filter(l -> l.startsWith("*"))).hasSize(1);
        for (String trainer : new String[] {"sync", "pipe", "cocod", "ps"}) {
            assertThat(Arrays.stream(rows).anyMatch(l -> l.substring(2).startsWith(trainer))).as(trainer).isTrue();
        }
        assertThat(r.out()).containsPattern("recommended: (pipe|cocod|sync) .*ms/iteration, [0-9.]+x over sync");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void jsonIsOneObjectWithEveryRow() {
        Run r = plan("--np", "8", "--latency", "50us", "--bandwidth", "10gbit", "--params", "25000000",
                "--compute-ms", "40", "--algorithm", "auto", "--json");
        assertThat(r.status()).as(r.err()).isZero();
        String json = r.out().trim();
        assertThat(json).startsWith("{").endsWith("}").doesNotContain("\n");
        assertThat(json).contains("\"np\":8").contains("\"parameters\":25000000").contains("\"compute_ms\":40.0000")
                .contains("\"fitted\":false").contains("\"recommended\":{");
        // AUTO only: 8 configurations per compression (none and the 5 lossy ones), plus the parameter server and
        // asynchronous SGD.
        assertThat(json.split("\"predicted_iteration_ms\"", -1)).hasSize(8 * 6 + 2 + 1 + 1);
        assertThat(json).contains("\"ternary\":{\"encode_ns\"");
        assertThat(json).contains("\"algorithm\":\"auto\",\"runs_algorithm\":\"ring\"");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void withoutALinkTheInJvmTransportAloneIsPlanned() {
        Run r = plan("--np", "2", "--model", "softmax", "--compute-ms", "0.5", "--algorithm", "ring,tree");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("no link").contains("softmax 784-10").contains("7850 parameters");
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void measureFitsAlphaBetaGammaAndMeasuresComputeHere() {
        Run r = plan("--np", "2", "--model", "softmax", "--data", "synthetic", "--latency", "100us", "--bandwidth",
                "1gbit", "--measure", "--measure-seconds", "1");
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("# host: alpha=[0-9.]+ us, beta=[0-9.]+ ns/B, gamma=[0-9.]+ ns/B \\(fitted"
                + " to 32 samples: rms residual [0-9.]+%, max [0-9.]+%\\)");
        assertThat(r.out()).contains("(measured: softmax 32-4 on synthetic, batch 32, 2 ranks at once)")
                .contains("while computing (measured)");
        assertThat(r.out()).contains("recommended: ");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theConvolutionalModelsAreSizedForThePlan() {
        Run cnn = plan("--np", "4", "--latency", "200us", "--bandwidth", "1gbit", "--model", "cnn", "--compute-ms",
                "40");
        assertThat(cnn.status()).as(cnn.err()).isZero();
        assertThat(cnn.out()).contains("cnn 28x28x1-c16k5p2-pool2-c32k5-pool2-d128-d84-10").contains(
                "127462 parameters");
        Run large = plan("--np", "4", "--latency", "200us", "--bandwidth", "1gbit", "--model", "cnn-large",
                "--compute-ms", "200");
        assertThat(large.status()).as(large.err()).isZero();
        assertThat(large.out()).contains("1663370 parameters");
        Run bad = plan("--np", "4", "--model", "cnn:c8k9p9", "--compute-ms", "5");
        assertThat(bad.status()).isEqualTo(Main.USAGE);
        assertThat(bad.err()).contains("cannot read 'c8k9p9'").doesNotContain("\n\tat ");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void mistakesGetOneLineNamingTheOption() {
        Run noCompute = plan("--np", "4", "--latency", "200us", "--bandwidth", "1gbit");
        assertThat(noCompute.status()).isEqualTo(Main.USAGE);
        assertThat(noCompute.err()).contains("--compute-ms").contains("--measure");
        Run halfLink = plan("--latency", "200us", "--compute-ms", "5");
        assertThat(halfLink.status()).isEqualTo(Main.USAGE);
        assertThat(halfLink.err()).contains("--net-bandwidth");
        Run badNp = plan("--np", "0", "--compute-ms", "5");
        assertThat(badNp.status()).isEqualTo(Main.USAGE);
        assertThat(badNp.err()).contains("--np");
        Run badAlgorithm = plan("--algorithm", "mpj-native", "--compute-ms", "5");
        assertThat(badAlgorithm.status()).isEqualTo(Main.USAGE);
        assertThat(badAlgorithm.err()).contains("native");
        Run badModel = plan("--model", "resnet", "--compute-ms", "5");
        assertThat(badModel.status()).isEqualTo(Main.USAGE);
        assertThat(badModel.err()).contains("unknown model 'resnet'");
        Run badBandwidth = plan("--latency", "200us", "--bandwidth", "fast", "--compute-ms", "5");
        assertThat(badBandwidth.status()).isEqualTo(Main.USAGE);
        assertThat(badBandwidth.err()).contains("'fast' is not a bandwidth");
    }
}

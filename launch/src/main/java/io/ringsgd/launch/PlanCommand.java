package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.emulation.LinkModel;
import io.ringsgd.pipesgd.data.DataSets;
import io.ringsgd.pipesgd.data.DataSpec;
import io.ringsgd.pipesgd.data.Dataset;
import io.ringsgd.pipesgd.data.FashionMnist;
import io.ringsgd.pipesgd.model.ModelFactory;
import io.ringsgd.plan.IterationModel;
import io.ringsgd.plan.PlanInputs;
import io.ringsgd.plan.Planner;
import io.ringsgd.plan.cost.CostModel;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code ringsgd plan}: predicted iteration time and speedup of every trainer, width, τ, compression and AllReduce
 * algorithm for a model on P ranks over a link, from the α-β-γ cost model and the trainers' iteration-time model
 * ({@link IterationModel}, {@link Planner}); {@code --measure} first fits α, β, γ to AllReduce measurements on the
 * in-JVM transport and measures compute, codec and wake-up times on this machine.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Predict the iteration time and speedup over synchronous SGD of every trainer's configurations"
                + " (with the built-in trainers: sync, pipe width 2-4, cocod tau 1-8, and a parameter-server"
                + " reference), compression and AllReduce algorithm, and recommend one. The link is what the ranks'"
                + " messages cross (--net-latency and --net-bandwidth, or ringsgd.net.latency/bandwidth); without one,"
                + " the in-JVM transport alone.",
        footer = {"", "Examples:",
            "  ringsgd plan --np 4 --net-latency 200us --net-bandwidth 1gbit --model mlp --measure",
            "  ringsgd plan --np 8 --net-latency 50us --net-bandwidth 10gbit --params 25000000 --compute-ms 40 --json"})
final class PlanCommand implements Callable<Integer> {
    /** The lossy compressions the plan prices: the compressed ring's and the encoded all-gather's. */
    private static final List<Compression> LOSSY = List.of(Compression.FP16, Compression.INT8, Compression.TWO_BIT,
            Compression.ONE_BIT, Compression.TERNARY);

    @Spec
    CommandSpec spec;

    @Option(names = {"--np", "-np"}, defaultValue = "4", description = "Ranks P (default ${DEFAULT-VALUE}).")
    int np;

    /** The link (default: none, the in-JVM transport alone). */
    @Mixin
    LinkOptions link;

    @Mixin
    ModelOptions model;

    /** The data: it sets the model's input and output sizes, and --measure trains on it. */
    @Mixin
    DataOptions data;

    @Option(names = "--params", description = "Parameter count N, overriding the model's.")
    Long params;

    @Option(names = "--compute-ms", description = "Compute time per iteration of one rank while all P compute, in"
            + " ms (overrides the measured one; needed without --measure).")
    Double computeMs;

    @Option(names = "--batch", defaultValue = "32", description = "Mini-batch per rank of the compute measurement"
            + " (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--algorithm", defaultValue = "all", description = "AllReduce algorithms to consider: all"
            + " (default), auto (the communicator's table), or a comma list of ring, recursive-doubling,"
            + " rabenseifner, tree, bcube.")
    String algorithm;

    @Option(names = "--segment", description = "Ring segment size, e.g. 256k (default: ringsgd.segment or 256k).")
    String segment;

    @Option(names = "--cores", description = "Cores the ranks share (default: this machine's).")
    Integer cores;

    @Option(names = "--measure", description = "Fit alpha, beta, gamma (ringsgd bench allreduce on the local"
            + " transport, P ranks, all algorithms, 8 bytes to 4m, fastest of 20 iterations each) and measure"
            + " compute (training on --data), codec and wake-up times on this machine first.")
    boolean measure;

    @Option(names = "--measure-seconds", defaultValue = "10", description = "Time budget of the compute and codec"
            + " measurement (default ${DEFAULT-VALUE}).")
    double measureSeconds;

    @Option(names = "--json", description = "One JSON object instead of the table.")
    boolean json;

    @Override
    public Integer call() {
        if (np < 1) {
            throw new IllegalArgumentException("--np must be at least 1, got " + np);
        }
        if (batch < 1) {
            throw new IllegalArgumentException("--batch must be at least 1, got " + batch);
        }
        if (params != null && params < 1) {
            throw new IllegalArgumentException("--params must be at least 1, got " + params);
        }
        if (computeMs != null && !(computeMs >= 0 && computeMs < 1e9)) {
            throw new IllegalArgumentException("--compute-ms must be a number >= 0, got " + computeMs);
        }
        if (cores != null && cores < 1) {
            throw new IllegalArgumentException("--cores must be at least 1, got " + cores);
        }
        if (!(measureSeconds >= 0.5 && measureSeconds <= 3600)) {
            throw new IllegalArgumentException("--measure-seconds must be between 0.5 and 3600, got "
                    + measureSeconds);
        }
        if (!measure && computeMs == null) {
            throw new IllegalArgumentException("no compute time: pass --compute-ms C (one rank's compute per"
                    + " iteration while all ranks compute) or --measure to measure it on this machine");
        }
        LinkModel link = this.link.link();
        List<Algorithm> algorithms = parseAlgorithms(algorithm);
        ModelFactory factory = model.factory();
        DataSpec dataSpec = data.spec();
        // Only --measure needs the samples; the shape of the built-in data sets is known without loading them.
        Dataset train = measure || dataSpec.kind() == DataSpec.Kind.DIRECTORY ? DataSets.load(dataSpec).train()
                : null;
        boolean synthetic = dataSpec.kind() == DataSpec.Kind.SYNTHETIC;
        int inputs = train != null ? train.featureCount() : synthetic ? dataSpec.features() : FashionMnist.FEATURES;
        int classes = train != null ? train.classCount() : synthetic ? dataSpec.classes() : FashionMnist.CLASSES;
        String describe = factory.create(inputs, classes).describe();
        long n = params != null ? params : factory.create(inputs, classes).parameterCount();
        int segmentBytes = segment != null ? (int) Units.parseBytes(segment)
                : CommunicatorConfig.fromSystemProperties().segmentBytes();
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("--segment must be at least 1 byte, got " + segment);
        }
        int coreCount = cores != null ? cores : Runtime.getRuntime().availableProcessors();
        PrintWriter out = spec.commandLine().getOut();
        PlanInputs in = measure ? PlanMeasurement.measure(factory, train, np, batch, segmentBytes,
                Duration.ofMillis((long) (measureSeconds * 1000)), json ? line -> { } : line -> {
                    out.println(line);
                    out.flush();
                }) : PlanInputs.defaults(segmentBytes);
        double compute = computeMs != null ? computeMs / 1e3 : in.computeSeconds();
        IterationModel im = in.model(link, np, n, compute, coreCount);
        Planner.Plan plan = Planner.plan(im, algorithms);
        if (json) {
            out.println(json(plan, in, link, describe, n, coreCount));
        } else {
            printText(out, plan, in, link, describe, n, coreCount);
        }
        out.flush();
        return 0;
    }

    static List<Algorithm> parseAlgorithms(String spec) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("all")) {
            return CostModel.ALGORITHMS;
        }
        List<Algorithm> out = new ArrayList<>();
        for (String part : s.split(",")) {
            Algorithm a = Algorithm.parse(part);
            if (a != Algorithm.AUTO && !CostModel.FORMULAS.contains(a)) {
                throw new IllegalArgumentException("--algorithm " + part.trim() + " has no cost model: use all, auto,"
                        + " ring, recursive-doubling, rabenseifner, tree or bcube");
            }
            if (!out.contains(a)) {
                out.add(a);
            }
        }
        return out;
    }

    private void printText(PrintWriter out, Planner.Plan plan, PlanInputs in, LinkModel link, String describe, long n,
            int coreCount) {
        long bytes = n * CostModel.ELEMENT_BYTES;
        out.printf(Locale.ROOT, "# ringsgd plan: np=%d, %s, %s (%d parameters, %s), %d cores%n", np,
                link == null ? "no link (in-JVM transport only)" : "link " + link, describe, n,
                Units.formatBytes(bytes) + "B", coreCount);
        CostModel h = in.host();
        out.printf(Locale.ROOT, "# host: alpha=%.3f us, beta=%.4f ns/B, gamma=%.4f ns/B%s%n", h.alpha() * 1e6,
                h.beta() * 1e9, h.gamma() * 1e9, in.fit() != null ? String.format(Locale.ROOT,
                " (fitted to %d samples: rms residual %.1f%%, max %.1f%%)", in.fit().residuals().size(),
                in.fit().rmsRelative() * 100, in.fit().maxRelative() * 100)
                : measure ? " (defaults: one rank measures no allreduce)" : " (defaults, not measured: add --measure)");
        for (Compression c : LOSSY) {
            CostModel.CodecCost cc = h.codec(c);
            out.printf(Locale.ROOT, "# %s: encode %.2f ns, decode %.2f ns, error feedback %.2f ns per element%n",
                    c.cliName(), cc.encodeSeconds() * 1e9, cc.decodeSeconds() * 1e9,
                    in.feedback().getOrDefault(c, 0.0) * 1e9);
        }
        out.printf(Locale.ROOT, "# vector pass %.3f ns per element; wake-up %.3f ms idle, %.3f ms while computing%s%n",
                in.passSeconds() * 1e9, in.idleWakeup() * 1e3, in.loadedWakeup() * 1e3,
                in.load() != null ? " (measured)" : " (defaults)");
        out.printf(Locale.ROOT, "# compute: %.3f ms per iteration in lock step%s%s%n",
                plan.model().computeSeconds() * 1e3, in.probe() == null ? "" : String.format(Locale.ROOT,
                ", %.3f ms free-running", plan.model().freeRunningComputeSeconds() * 1e3),
                computeMs != null ? " (given)" : String.format(Locale.ROOT, " (measured: %s on %s, batch %d, %d ranks"
                + " at once)", in.probe().model(), data.text(), batch, np));
        StringBuilder ar = new StringBuilder("# allreduce of " + Units.formatBytes(bytes) + "B:");
        CostModel cost = h.withLink(link).withLoad(in.idleWakeup(), 1);
        for (Algorithm a : CostModel.ALGORITHMS) {
            ar.append(String.format(Locale.ROOT, " %s %.3f ms,", a.cliName(), cost.allreduceSeconds(a, np, bytes)
                    * 1e3));
        }
        for (Compression c : LOSSY) {
            ar.append(String.format(Locale.ROOT, " %s-%s %.3f ms,", c.cliName(), c.gathersEncodings() ? "allgather"
                    : "ring",
                    cost.compressedAllreduceSeconds(c, np, n) * 1e3));
        }
        ar.setLength(ar.length() - 1);
        out.println(ar);
        out.print(plan.table());
        out.println("recommended: " + plan.recommendation());
    }

    private String json(Planner.Plan plan, PlanInputs in, LinkModel link, String describe, long n, int coreCount) {
        CostModel h = in.host();
        StringBuilder sb = new StringBuilder("{");
        sb.append(String.format(Locale.ROOT, "\"np\":%d,\"cores\":%d,\"model\":\"%s\",\"parameters\":%d,", np,
                coreCount, describe, n));
        if (link == null) {
            sb.append("\"link\":null,");
        } else {
            sb.append(String.format(Locale.ROOT, "\"link\":{\"latency_us\":%.3f,\"bytes_per_second\":%.1f},",
                    link.latency().toNanos() / 1e3, link.bytesPerSecond()));
        }
        sb.append(String.format(Locale.ROOT, "\"host\":{\"alpha_us\":%.4f,\"beta_ns_per_byte\":%.6f,"
                + "\"gamma_ns_per_byte\":%.6f,\"fitted\":%s", h.alpha() * 1e6, h.beta() * 1e9, h.gamma() * 1e9,
                in.fit() != null));
        if (in.fit() != null) {
            sb.append(String.format(Locale.ROOT, ",\"samples\":%d,\"rms_residual\":%.4f,\"max_residual\":%.4f",
                    in.fit().residuals().size(), in.fit().rmsRelative(), in.fit().maxRelative()));
        }
        sb.append("},\"codecs\":{");
        boolean first = true;
        for (Compression c : LOSSY) {
            CostModel.CodecCost cc = h.codec(c);
            sb.append(first ? "" : ",").append(String.format(Locale.ROOT, "\"%s\":{\"encode_ns\":%.4f,"
                    + "\"decode_ns\":%.4f,\"feedback_ns\":%.4f}", c.cliName(), cc.encodeSeconds() * 1e9,
                    cc.decodeSeconds() * 1e9, in.feedback().getOrDefault(c, 0.0) * 1e9));
            first = false;
        }
        sb.append(String.format(Locale.ROOT, "},\"pass_ns\":%.4f,\"wakeup_ms\":{\"idle\":%.4f,\"loaded\":%.4f},"
                + "\"compute_ms\":%.4f,\"free_running_compute_ms\":%.4f,\"compute_measured\":%s,"
                + "\"measured\":%s,", in.passSeconds() * 1e9, in.idleWakeup() * 1e3, in.loadedWakeup() * 1e3,
                plan.model().computeSeconds() * 1e3, plan.model().freeRunningComputeSeconds() * 1e3,
                computeMs == null, measure));
        sb.append("\"rows\":").append(plan.rowsJson()).append(",\"recommended\":")
                .append(plan.rowJson(plan.recommended())).append('}');
        return sb.toString();
    }
}

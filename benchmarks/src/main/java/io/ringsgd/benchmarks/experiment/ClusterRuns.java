package io.ringsgd.benchmarks.experiment;

import io.ringsgd.benchmarks.cluster.NetCluster;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Jobs of the experiment on an emulated cluster, one process per host, started as users start them
 * ({@code ringsgd run --hosts ... --rsh <the cluster's remote shell>}): a training run whose {@code summary.json} it
 * reads back, an AllReduce benchmark, and the search for the link rate at which one AllReduce takes a given time.
 */
final class ClusterRuns {
    private final NetCluster cluster;
    private final Consumer<String> log;

    ClusterRuns(NetCluster cluster, Consumer<String> log) {
        this.cluster = cluster;
        this.log = log;
    }

    /**
     * The median compute time per iteration (ms) of rank 0 over the second half of a run's iterations, from its
     * {@code metrics.csv}: the steady state, after the JIT has compiled the model.
     */
    static double steadyComputeMs(Path metricsCsv) {
        List<String> lines;
        try {
            lines = Files.readAllLines(metricsCsv);
        } catch (IOException e) {
            throw new UncheckedIOException("the run wrote no " + metricsCsv + ": " + e.getMessage(), e);
        }
        String[] header = lines.get(0).split(",");
        int kind = java.util.Arrays.asList(header).indexOf("kind");
        int compute = java.util.Arrays.asList(header).indexOf("compute_ms");
        List<Double> values = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.split(",", -1);
            if (f[kind].equals("iter") && !f[compute].isEmpty()) {
                values.add(Double.parseDouble(f[compute]));
            }
        }
        List<Double> tail = new ArrayList<>(values.subList(values.size() / 2, values.size()));
        if (tail.isEmpty()) {
            throw new IllegalStateException(metricsCsv + " has no iterations");
        }
        java.util.Collections.sort(tail);
        return tail.get(tail.size() / 2);
    }

    /** What a training run's summary says. */
    record Summary(double meanIterationMs, double computeMs, double waitMs, double finalAccuracy, long iterations,
            List<ExperimentResult.Point> evaluations, double cpuSeconds, double elapsedSeconds) {
    }

    /** Trains with {@code trainArgs} (the train options after {@code train}) on every host, output in {@code out}. */
    Summary train(List<String> trainArgs, Path out) {
        List<String> cmd = ringsgd();
        cmd.addAll(List.of("run", "--hosts", hosts(), "--rsh", cluster.rsh(), "--", "train", "--transport", "tcp",
                "--quiet", "--out", out.toString()));
        cmd.addAll(trainArgs);
        double cpu0 = totalCpu();
        long t0 = System.nanoTime();
        run(cmd, "train " + String.join(" ", trainArgs));
        double elapsed = (System.nanoTime() - t0) / 1e9;
        double cpu = totalCpu() - cpu0;
        return parse(out.resolve("summary.json"), cpu, elapsed);
    }

    /** Mean time of one AllReduce of {@code bytes} (float SUM, the algorithm {@code auto} picks), in ms. */
    double allreduceMs(long bytes, int iters) {
        List<String> cmd = ringsgd();
        cmd.addAll(List.of("run", "--hosts", hosts(), "--rsh", cluster.rsh(), "--", "bench", "allreduce",
                "--transport", "tcp", "--bytes", Long.toString(bytes), "--iters", Integer.toString(iters),
                "--warmup", Integer.toString(Math.max(2, iters / 5)), "--warmup-seconds", "1", "--json"));
        String output = run(cmd, "bench allreduce");
        Matcher m = Pattern.compile("\"mean_us\":([0-9.]+)").matcher(output);
        if (!m.find()) {
            throw new IllegalStateException("bench allreduce printed no result:\n" + output);
        }
        return Double.parseDouble(m.group(1)) / 1e3;
    }

    /**
     * Sets the cluster's links to the rate at which one AllReduce of {@code bytes} takes {@code targetMs}: starts from
     * the ring's link-bound rate (2(P−1)/P·bytes in {@code targetMs}), then corrects for the fixed overhead it
     * measures, three times at most. Returns the rate in bits per second.
     */
    double linkFor(long bytes, double targetMs) {
        int p = cluster.hosts();
        double onLink = 2.0 * (p - 1) / p * bytes;
        double bps = onLink * 8 / (targetMs / 1e3);
        for (int round = 0; round < 3; round++) {
            cluster.rate(rate(bps));
            double ms = allreduceMs(bytes, 20);
            log.accept(String.format(Locale.ROOT, "#   link %s: one AllReduce of %d bytes takes %.2f ms (want %.2f)",
                    rate(bps), bytes, ms, targetMs));
            if (Math.abs(ms / targetMs - 1) < 0.05) {
                break;
            }
            double overhead = Math.max(0, ms - onLink * 8 / bps * 1e3);
            double wire = targetMs - overhead;
            if (wire <= targetMs * 0.2) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "one AllReduce takes %.2f ms of overhead"
                        + " besides the wire, more than the %.2f ms asked for: raise --comm-ratio", overhead, targetMs));
            }
            bps = onLink * 8 / (wire / 1e3);
        }
        return bps;
    }

    /** A tbf rate for {@code bps} bits per second, in whole kbit. */
    static String rate(double bps) {
        return Math.max(1, Math.round(bps / 1e3)) + "kbit";
    }

    private String hosts() {
        return String.join(",", cluster.hostNames(cluster.hosts()));
    }

    private double totalCpu() {
        return cluster.cpuSeconds().values().stream().mapToDouble(Double::doubleValue).sum();
    }

    private static List<String> ringsgd() {
        return new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java", "-cp", System.getProperty("java.class.path"), "io.ringsgd.launch.Main"));
    }

    private static String run(List<String> cmd, String what) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            if (status != 0) {
                throw new IllegalStateException(what + " failed on the cluster (status " + status + "):\n" + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        }
    }

    private static final Pattern NUMBER = Pattern.compile("\"([a-z_0-9]+)\": (-?[0-9.eE+-]+|\"[^\"]*\")");
    private static final Pattern EVALUATION = Pattern.compile("\\{\"iterations\": (\\d+), \"epoch\": \\d+,"
            + " \"train_seconds\": ([0-9.eE+-]+), \"test_accuracy\": ([0-9.eE+-]+)");

    /** Reads a {@code summary.json} written by {@code train}. */
    static Summary parse(Path summary, double cpuSeconds, double elapsedSeconds) {
        String json;
        try {
            json = Files.readString(summary);
        } catch (IOException e) {
            throw new UncheckedIOException("the run wrote no " + summary + ": " + e.getMessage(), e);
        }
        Map<String, String> f = new java.util.HashMap<>();
        Matcher m = NUMBER.matcher(json);
        while (m.find()) {
            f.putIfAbsent(m.group(1), m.group(2));
        }
        List<ExperimentResult.Point> evals = new ArrayList<>();
        Matcher e = EVALUATION.matcher(json);
        while (e.find()) {
            evals.add(new ExperimentResult.Point(Double.parseDouble(e.group(2)), Double.parseDouble(e.group(3))));
        }
        long its = Math.max(1, Long.parseLong(f.get("iterations")));
        return new Summary(Double.parseDouble(f.get("mean_iteration_ms")),
                Double.parseDouble(f.get("compute_ms")) / its, Double.parseDouble(f.get("comm_wait_ms")) / its,
                Double.parseDouble(f.get("final_test_accuracy")), its, evals, cpuSeconds, elapsedSeconds);
    }
}

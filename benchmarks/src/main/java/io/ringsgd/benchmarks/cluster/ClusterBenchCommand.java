package io.ringsgd.benchmarks.cluster;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Units;
import io.ringsgd.plan.cost.CostModel;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ringsgd cluster-bench}: AllReduce on emulated clusters of P hosts (one rank per host, each host with its own
 * shaped link and CPU budget), every system on the same cluster in one run: ringsgd over TCP (each algorithm and
 * auto), ringsgd over MPJ Express niodev (its ring and MPJ's own Allreduce), and Open MPI (its default and each forced
 * algorithm). Each row gets its link-bound ideal from the cost model's bandwidth term (the bytes on the busiest link's
 * critical path over the link rate), the link efficiency (ideal / measured), the CPU time all hosts spent per
 * operation, and the bound it hit.
 */
@Command(name = "cluster-bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = "AllReduce of ringsgd (TCP, MPJ Express niodev) and Open MPI side by side on emulated clusters"
                + " (network namespaces with shaped links and a CPU budget per host; needs root). Prints a Markdown"
                + " table and writes results.md and results.jsonl to --out.",
        footer = {"", "Example: ringsgd cluster-bench --hosts 4,8 --rate 200mbit --bytes 8,4m --out runs/cluster"})
public final class ClusterBenchCommand implements Callable<Integer> {

    @Option(names = "--hosts", defaultValue = "4,8", split = ",", description = "Cluster sizes P (one rank per"
            + " host; default ${DEFAULT-VALUE}).")
    List<Integer> sizes;

    @Option(names = "--rate", defaultValue = "200mbit", description = "Link rate of every host, both ways (default"
            + " ${DEFAULT-VALUE}).")
    String rate;

    @Option(names = "--bytes", defaultValue = "8,4m", split = ",", description = "Message sizes (default"
            + " ${DEFAULT-VALUE}).")
    List<String> bytes;

    @Option(names = "--iters-small", defaultValue = "200", description = "Timed iterations for sizes up to 64k"
            + " (default ${DEFAULT-VALUE}).")
    int itersSmall;

    @Option(names = "--iters-large", defaultValue = "10", description = "Timed iterations for larger sizes (default"
            + " ${DEFAULT-VALUE}).")
    int itersLarge;

    @Option(names = "--systems", defaultValue = "tcp,mpj,openmpi", split = ",", description = "What to measure:"
            + " tcp (ringsgd over TCP), mpj (ringsgd and MPJ Express over niodev), openmpi (default"
            + " ${DEFAULT-VALUE}).")
    List<String> systems;

    @Option(names = "--algorithms", defaultValue = "ring,recursive-doubling,rabenseifner,tree,auto",
            description = "ringsgd's algorithms over TCP (default ${DEFAULT-VALUE}).")
    String algorithms;

    @Option(names = "--openmpi-algorithms", defaultValue = "default,1,2,3,4,5,6", split = ",",
            description = "Open MPI's default and forced coll_tuned_allreduce_algorithm numbers (1 basic linear, 2"
                    + " non-overlapping, 3 recursive doubling, 4 ring, 5 segmented ring, 6 Rabenseifner; default"
                    + " ${DEFAULT-VALUE}).")
    List<String> openmpiAlgorithms;

    @Option(names = "--cpus", description = "CPU budget of each host, in CPUs (default: this machine's cores / P, at"
            + " most 1), or none.")
    String cpus;

    @Option(names = "--out", description = "Directory for results.md and results.jsonl (default"
            + " runs/cluster-bench-TIME).")
    Path out;

    @Option(names = "--job-timeout", defaultValue = "600", description = "Seconds one system's job may take before"
            + " it is stopped and reported as failed (default ${DEFAULT-VALUE}).")
    int jobTimeoutSeconds;

    @Override
    public Integer call() throws Exception {
        if (sizes.stream().anyMatch(p -> p < 2 || p > 64)) {
            throw new IllegalArgumentException("--hosts must list cluster sizes from 2 to 64, got " + sizes);
        }
        double linkBytesPerSecond = Units.parseBandwidth(rate);
        for (String s : systems) {
            if (!List.of("tcp", "mpj", "openmpi").contains(s)) {
                throw new IllegalArgumentException("--systems takes tcp, mpj and openmpi, got '" + s + "'");
            }
        }
        String why = NetCluster.whyNot();
        if (why != null) {
            throw new IllegalArgumentException("cannot make an emulated cluster here: " + why);
        }
        Path dir = out != null ? out : Paths.get("runs", "cluster-bench-"
                + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        Files.createDirectories(dir);
        Path work = Files.createTempDirectory("cluster-bench");
        try {
            String openmpiProgram = systems.contains("openmpi") ? compileOpenMpi(work) : null;
            List<Row> rows = new ArrayList<>();
            List<String> failures = new ArrayList<>();
            for (int p : sizes) {
                List<String> extra = cpus == null ? List.of() : List.of("--cpus", cpus);
                try (NetCluster c = NetCluster.up("cb" + ProcessHandle.current().pid(), p, rate, extra)) {
                    double budget = c.cpuBudget();
                    System.err.printf(Locale.ROOT, "cluster-bench: %d hosts at %s, %s CPU each%n", p, rate,
                            budget > 0 ? String.format(Locale.ROOT, "%.2f", budget) : "unlimited");
                    Path hostfile = c.hostfile(work);
                    for (String b : bytes) {
                        long n = Units.parseBytes(b);
                        int iters = n <= 65536 ? itersSmall : itersLarge;
                        // Large sizes warm up for half as many operations as are timed (at least 3): under a
                        // quarter-CPU budget the JIT still compiles the reduction loops after one operation, and the
                        // first algorithm of a job would be timed cold while the next ones run warm.
                        int warmup = n <= 65536 ? Math.max(1, iters / 10) : Math.max(3, iters / 2);
                        List<Row> found = new ArrayList<>();
                        String size = p + " hosts, " + b + " bytes";
                        if (systems.contains("tcp")) {
                            measure("ringsgd tcp, " + size, failures,
                                    () -> found.addAll(ringsgdTcp(c, n, iters, warmup)));
                        }
                        if (systems.contains("mpj")) {
                            measure("ringsgd and MPJ Express over niodev, " + size, failures,
                                    () -> found.addAll(ringsgdMpj(c, hostfile, n, iters, warmup)));
                        }
                        if (systems.contains("openmpi")) {
                            for (String a : openmpiAlgorithms) {
                                measure("Open MPI " + OPENMPI_NAMES.getOrDefault(a, a) + ", " + size, failures,
                                        () -> found.add(openmpi(c, work, openmpiProgram, a, n, iters, warmup)));
                            }
                        }
                        for (Row r : found) {
                            Row full = r.withIdeal(linkBytesPerSecond, budget);
                            rows.add(full);
                            System.err.println("cluster-bench: " + full.toJson());
                        }
                        write(dir, rows, failures, linkBytesPerSecond);
                    }
                }
            }
            String md = write(dir, rows, failures, linkBytesPerSecond);
            System.out.print(md);
            System.out.println("wrote " + dir.resolve("results.md") + ", " + dir.resolve("results.jsonl"));
            return rows.stream().allMatch(Row::correct) && failures.isEmpty() ? 0 : 1;
        } finally {
            deleteTree(work);
        }
    }

    /** Removes the work directory (the compiled Open MPI benchmark, host files, the remote-shell agent). */
    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
            for (Path f : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(f);
            }
        }
    }

    /** What one system's job does; it may fail. */
    private interface Job {
        void run() throws IOException;
    }

    /**
     * Runs {@code job}, once more if it fails (MPJ Express's starter sometimes loses a rank at start-up on a loaded
     * machine); a second failure is recorded in {@code failures} and the other systems go on.
     */
    private static void measure(String what, List<String> failures, Job job) {
        for (int attempt = 1; ; attempt++) {
            try {
                job.run();
                return;
            } catch (IOException | RuntimeException e) {
                String reason = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
                System.err.println("cluster-bench: " + what + " failed (attempt " + attempt + "): " + reason);
                if (attempt == 2) {
                    failures.add(what + ": " + reason);
                    return;
                }
            }
        }
    }

    /** Writes results.md and results.jsonl as they stand (after every size, so that a stop loses little). */
    private static String write(Path dir, List<Row> rows, List<String> failures, double linkBytesPerSecond)
            throws IOException {
        StringBuilder md = new StringBuilder(markdown(rows, linkBytesPerSecond));
        if (!failures.isEmpty()) {
            md.append("\nNot measured (the job failed twice):\n\n");
            failures.forEach(f -> md.append("- ").append(f).append('\n'));
        }
        Files.writeString(dir.resolve("results.md"), md);
        StringBuilder jsonl = new StringBuilder();
        rows.forEach(r -> jsonl.append(r.toJson()).append('\n'));
        Files.writeString(dir.resolve("results.jsonl"), jsonl);
        return md.toString();
    }

    // ------------------------------------------------------------------------------------------------ systems

    private List<Row> ringsgdTcp(NetCluster c, long n, int iters, int warmup) {
        List<String> cmd = ringsgd();
        cmd.addAll(List.of("run", "--hosts", String.join(",", c.hostNames(c.hosts())), "--rsh", c.rsh(), "--",
                "bench", "allreduce", "--transport", "tcp", "--bytes", Long.toString(n), "--algorithm", algorithms,
                "--iters", Integer.toString(iters), "--warmup", Integer.toString(warmup), "--json"));
        List<Row> out = new ArrayList<>();
        List<Map<String, String>> js = jsonLines(runJob(cmd, Map.of(), "ringsgd tcp"));
        for (int k = 0; k < js.size(); k++) {
            out.add(Row.of("ringsgd-tcp", label(algorithms, k, js.get(k)), algorithmOf(js.get(k).get("algorithm")),
                    c.hosts(), js.get(k)));
        }
        return out;
    }

    /** The row's algorithm: as measured, or "auto (ring)" where auto was asked for ({@code k}-th of the list). */
    private static String label(String requested, int k, Map<String, String> j) {
        String[] asked = requested.split(",");
        String measured = j.get("algorithm");
        return k < asked.length && asked[k].trim().equals("auto") ? "auto (" + measured + ")" : measured;
    }

    private List<Row> ringsgdMpj(NetCluster c, Path hostfile, long n, int iters, int warmup) {
        List<String> cmd = new ArrayList<>(List.of(locate("ringsgd-mpjrun"), "-np", Integer.toString(c.hosts()),
                "-dev", "niodev", "-machinesfile", hostfile.toString(), "--rsh", c.rsh(), "--start-daemons", "--",
                "bench", "allreduce", "--transport", "mpj", "--bytes", Long.toString(n), "--algorithm",
                MPJ_ALGORITHMS, "--iters", Integer.toString(iters), "--warmup", Integer.toString(warmup),
                "--json"));
        List<Row> out = new ArrayList<>();
        List<Map<String, String>> js = jsonLines(runJob(cmd, Map.of("RINGSGD_JAR", jarPath()), "ringsgd mpj"));
        for (int k = 0; k < js.size(); k++) {
            String alg = js.get(k).get("algorithm");
            boolean mpjOwn = alg.equals("mpj-native");
            out.add(Row.of(mpjOwn ? "mpj-express" : "ringsgd-mpj", label(MPJ_ALGORITHMS, k, js.get(k)),
                    mpjOwn ? Algorithm.TREE : algorithmOf(alg), c.hosts(), js.get(k)));
        }
        return out;
    }

    private Row openmpi(NetCluster c, Path work, String program, String algorithm, long n, int iters, int warmup)
            throws IOException {
        Path agent = work.resolve("rsh-" + c.name());
        Files.writeString(agent, "#!/bin/sh\nexec " + c.rsh() + " \"$@\"\n");
        Files.setPosixFilePermissions(agent, PosixFilePermissions.fromString("rwx------"));
        List<String> mpirun = new ArrayList<>(List.of("mpirun", "--oversubscribe", "-np",
                Integer.toString(c.hosts()), "--host", String.join(",", c.hostNames(c.hosts())), "--mca",
                "plm_rsh_agent", agent.toString(), "--mca", "btl", "tcp,self", "--mca", "btl_tcp_if_include", "eth0",
                "--mca", "oob_tcp_if_include", "eth0"));
        if ("root".equals(System.getProperty("user.name"))) {
            mpirun.add(1, "--allow-run-as-root");
        }
        if (!algorithm.equals("default")) {
            mpirun.addAll(List.of("--mca", "coll_tuned_use_dynamic_rules", "1", "--mca",
                    "coll_tuned_allreduce_algorithm", algorithm));
        }
        mpirun.addAll(List.of(program, Long.toString(n), Integer.toString(iters), Integer.toString(warmup)));
        // mpirun runs on h0: the orted daemons it starts on the other hosts must reach it.
        List<Map<String, String>> js = jsonLines(runJob(c.onHost(0, mpirun), Map.of(), "open mpi " + algorithm));
        if (js.isEmpty()) {
            throw new IllegalStateException("Open MPI (" + algorithm + ") printed no result");
        }
        String name = OPENMPI_NAMES.getOrDefault(algorithm, algorithm);
        return Row.of("openmpi", name, OPENMPI_MODEL.get(algorithm), c.hosts(), js.get(0));
    }

    /** Over MPJ: ringsgd's ring and its automatic choice, and MPJ Express's own Allreduce. */
    private static final String MPJ_ALGORITHMS = "ring,auto,mpj-native";

    private static final Map<String, String> OPENMPI_NAMES = Map.of("default", "default", "1", "1 basic linear",
            "2", "2 non-overlapping", "3", "3 recursive doubling", "4", "4 ring", "5", "5 segmented ring", "6",
            "6 rabenseifner");
    /** The cost-model algorithm whose bandwidth term bounds each Open MPI algorithm (null: linear, own formula). */
    private static final Map<String, Algorithm> OPENMPI_MODEL = new LinkedHashMap<>();

    static {
        OPENMPI_MODEL.put("default", Algorithm.RING);
        OPENMPI_MODEL.put("2", Algorithm.TREE);
        OPENMPI_MODEL.put("3", Algorithm.RECURSIVE_DOUBLING);
        OPENMPI_MODEL.put("4", Algorithm.RING);
        OPENMPI_MODEL.put("5", Algorithm.RING);
        OPENMPI_MODEL.put("6", Algorithm.RABENSEIFNER);
    }

    private String compileOpenMpi(Path work) throws IOException {
        Path src = work.resolve("allreduce_timing.c");
        try (InputStream in = ClusterBenchCommand.class.getResourceAsStream("/openmpi/allreduce_timing.c")) {
            if (in == null) {
                throw new IllegalStateException("allreduce_timing.c is missing from the benchmarks jar");
            }
            Files.copy(in, src);
        }
        Path bin = work.resolve("allreduce_timing");
        NetCluster.Run r = NetCluster.run(List.of("mpicc", "-O2", "-o", bin.toString(), src.toString()), 120);
        if (r.status() != 0) {
            throw new IllegalArgumentException("cannot compile the Open MPI benchmark (apt-get install -y openmpi-bin"
                    + " libopenmpi-dev, or leave openmpi out of --systems): " + r.output().trim());
        }
        return bin.toString();
    }

    // ------------------------------------------------------------------------------------------------ processes

    private String runJob(List<String> cmd, Map<String, String> env, String what) {
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().putAll(env);
            Process p = pb.start();
            java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(
                    () -> {
                        try {
                            return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                        } catch (IOException e) {
                            return "(cannot read its output: " + e.getMessage() + ")";
                        }
                    });
            if (!p.waitFor(jobTimeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                throw new IllegalStateException(what + " did not finish within " + jobTimeoutSeconds
                        + " s (--job-timeout): stopped it");
            }
            String text = output.join();
            if (p.exitValue() != 0) {
                Path log = Files.createTempFile("cluster-bench-failed-", ".log");
                Files.writeString(log, String.join(" ", cmd) + "\n" + text);
                throw new IllegalStateException(what + " failed with status " + p.exitValue() + " (its output: " + log
                        + "): " + firstError(text));
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + what + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during " + what, e);
        }
    }

    /** The first line of a job's output that reports an error, else its last line, for a one-line failure. */
    private static String firstError(String output) {
        List<String> lines = output.lines().filter(l -> !l.isBlank()).toList();
        return lines.stream().filter(l -> l.contains("ringsgd: ") || l.contains("Exception") || l.contains("rror"))
                .findFirst().orElse(lines.isEmpty() ? "(no output)" : lines.get(lines.size() - 1));
    }

    private static final Pattern FIELD = Pattern.compile("\"([a-z_]+)\":(\"[^\"]*\"|[^,}]+)");

    /** The JSON objects of a job's output, each as field → value (strings unquoted). */
    static List<Map<String, String>> jsonLines(String output) {
        List<Map<String, String>> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            int brace = line.indexOf("{\"");
            if (brace < 0 || !line.trim().endsWith("}")) {
                continue;
            }
            Map<String, String> m = new LinkedHashMap<>();
            Matcher f = FIELD.matcher(line.substring(brace));
            while (f.find()) {
                String v = f.group(2);
                m.put(f.group(1), v.startsWith("\"") ? v.substring(1, v.length() - 1) : v);
            }
            if (m.containsKey("mean_us")) {
                out.add(m);
            }
        }
        return out;
    }

    /** The command that runs the ringsgd CLI of this JVM's class path. */
    private static List<String> ringsgd() {
        return new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin" + File.separator
                + "java", "-cp", System.getProperty("java.class.path"), "io.ringsgd.launch.Main"));
    }

    /** The ringsgd jar this JVM runs from (MPJ's ranks load it). */
    private static String jarPath() {
        for (String e : System.getProperty("java.class.path").split(File.pathSeparator)) {
            if (e.endsWith("ringsgd.jar")) {
                return new File(e).getAbsolutePath();
            }
        }
        throw new IllegalStateException("the ringsgd jar is not on the class path: run cluster-bench through"
                + " launch/bin/ringsgd or bin/ringsgd");
    }

    /** A script next to the ringsgd jar's bin directory (source tree: launch/bin; distribution: bin). */
    private static String locate(String script) {
        File jar = new File(jarPath());
        for (File d : new File[] {new File(jar.getParentFile().getParentFile(), "bin"), jar.getParentFile()}) {
            File f = new File(d, script);
            if (f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        throw new IllegalStateException(script + " not found next to " + jar);
    }

    private static Algorithm algorithmOf(String name) {
        try {
            return Algorithm.parse(name);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------------------------------------ rows

    /** Sizes below this have no link-bound ideal (their time is latency, not bandwidth). */
    static final long SMALL = 64 << 10;

    /** One measured configuration. */
    record Row(String system, String algorithm, Algorithm model, int hosts, long bytes, int iters, double meanUs,
            double medianUs, double cpuMsPerOp, boolean correct, double idealUs, double cpuBudget) {

        static Row of(String system, String algorithm, Algorithm model, int hosts, Map<String, String> j) {
            double median = j.containsKey("median_us") ? Double.parseDouble(j.get("median_us")) : Double.NaN;
            return new Row(system, algorithm, model, hosts, Long.parseLong(j.get("bytes")),
                    Integer.parseInt(j.get("iters")), Double.parseDouble(j.get("mean_us")), median,
                    Double.parseDouble(j.getOrDefault("cpu_ms_per_op", "NaN")),
                    Boolean.parseBoolean(j.get("correct")), Double.NaN, Double.NaN);
        }

        /**
         * This row with its link-bound ideal: the bytes the algorithm moves through one link on its critical path
         * (the cost model's β coefficient; Open MPI's basic linear: 2(P−1)n through the root's link) at the link
         * rate.
         */
        Row withIdeal(double linkBytesPerSecond, double budget) {
            double linkBytes = model == null ? 2.0 * (hosts - 1) * bytes
                    : CostModel.terms(model, hosts, bytes, 256 << 10)[1];
            // Below 64 KiB the bandwidth term is a small part of the time: no link-bound ideal is claimed there.
            double ideal = bytes < SMALL ? Double.NaN : linkBytes / linkBytesPerSecond * 1e6;
            return new Row(system, algorithm, model, hosts, bytes, iters, meanUs, medianUs, cpuMsPerOp, correct,
                    ideal, budget);
        }

        /** Ideal / measured, NaN for small messages. */
        double efficiency() {
            return idealUs / meanUs;
        }

        /** Share of the hosts' CPU budget the operation used (0..1; NaN without a budget). */
        double cpuUse() {
            return cpuBudget > 0 ? cpuMsPerOp / hosts / (meanUs / 1e3 * cpuBudget) : Double.NaN;
        }

        /**
         * "CPU" when the hosts used 80 % of their budget, "link" when within 20 % of the link-bound ideal, else
         * "latency" (waiting on messages, wake-ups and round trips rather than on bytes or CPU).
         */
        String bound() {
            if (cpuUse() >= 0.8) {
                return "CPU";
            }
            return efficiency() >= 0.8 ? "link" : "latency";
        }

        String toJson() {
            return String.format(Locale.ROOT, "{\"system\":\"%s\",\"algorithm\":\"%s\",\"hosts\":%d,\"bytes\":%d,"
                    + "\"iters\":%d,\"mean_us\":%.1f,\"median_us\":%.1f,\"ideal_us\":%.1f,\"link_efficiency\":%.3f,"
                    + "\"cpu_ms_per_op\":%.3f,\"cpu_budget_use\":%.3f,\"bound\":\"%s\",\"correct\":%s}", system,
                    algorithm, hosts, bytes, iters, meanUs, orMinusOne(medianUs), orMinusOne(idealUs),
                    orMinusOne(efficiency()), cpuMsPerOp, orMinusOne(cpuUse()), bound(), correct);
        }

        private static double orMinusOne(double x) {
            return Double.isNaN(x) ? -1 : x;
        }
    }

    static String markdown(List<Row> rows, double linkBytesPerSecond) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "AllReduce, float SUM, one rank per emulated host, links %s both ways;"
                + " mean time per operation (slowest rank); ideal = the algorithm's bytes on one link's critical path"
                + " / link rate; CPU = all hosts' CPU time per operation.%n%n", Units.formatBandwidth(
                        linkBytesPerSecond)));
        sb.append("| P | bytes | system | algorithm | mean | ideal | link efficiency | CPU ms/op (budget use) | bound"
                + " | correct |\n|---|---|---|---|---|---|---|---|---|---|\n");
        for (Row r : rows) {
            sb.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s | %s | %.2f (%s) | %s | %s |%n",
                    r.hosts(), Units.formatBytes(r.bytes()), r.system(), r.algorithm(), time(r.meanUs()),
                    time(r.idealUs()), percent(r.efficiency()), r.cpuMsPerOp(), percent(r.cpuUse()), r.bound(),
                    r.correct() ? "yes" : "NO"));
        }
        sb.append('\n').append(ratios(rows));
        return sb.toString();
    }

    /** The comparisons the project's targets are about, per cluster size and message size. */
    static String ratios(List<Row> rows) {
        StringBuilder sb = new StringBuilder();
        Map<String, List<Row>> groups = new LinkedHashMap<>();
        for (Row r : rows) {
            groups.computeIfAbsent(r.hosts() + " " + r.bytes(), k -> new ArrayList<>()).add(r);
        }
        for (List<Row> g : groups.values()) {
            Row first = g.get(0);
            sb.append(String.format(Locale.ROOT, "- P = %d, %s:", first.hosts(), Units.formatBytes(first.bytes())));
            Row tcpRing = find(g, "ringsgd-tcp", "ring");
            Row tcpAuto = g.stream().filter(r -> r.system().equals("ringsgd-tcp") && r.algorithm().startsWith("auto"))
                    .findFirst().orElse(null);
            Row tcpBest = best(g, "ringsgd-tcp");
            Row mpjRing = find(g, "ringsgd-mpj", "ring");
            Row mpjNative = find(g, "mpj-express", "mpj-native");
            Row ompiDefault = find(g, "openmpi", "default");
            Row ompiBest = g.stream().filter(r -> r.system().equals("openmpi") && !r.algorithm().equals("default"))
                    .min(Comparator.comparingDouble(Row::meanUs)).orElse(null);
            if (tcpRing != null) {
                sb.append(String.format(Locale.ROOT, " TCP ring %s of the link", percent(tcpRing.efficiency())));
            }
            if (tcpAuto != null) {
                sb.append(String.format(Locale.ROOT, "; auto picks %s, %s of the link%s",
                        tcpAuto.algorithm().replaceAll("auto \\((.*)\\)", "$1"), percent(tcpAuto.efficiency()),
                        tcpBest != null && tcpBest != tcpAuto ? String.format(Locale.ROOT, " (fastest measured: %s,"
                                + " %.2fx auto's time)", tcpBest.algorithm(), tcpBest.meanUs() / tcpAuto.meanUs())
                                : ""));
            }
            if (mpjRing != null && mpjNative != null) {
                sb.append(String.format(Locale.ROOT, "; over MPJ niodev the ring is %s of the link and %.2fx"
                        + " faster than MPJ's Allreduce", percent(mpjRing.efficiency()),
                        mpjNative.meanUs() / mpjRing.meanUs()));
            }
            Row ours = tcpAuto != null ? tcpAuto : tcpBest;
            if (ours != null && ompiBest != null) {
                sb.append(String.format(Locale.ROOT, "; ringsgd auto is %.2fx faster than Open MPI's best forced"
                        + " algorithm (%s)", ompiBest.meanUs() / ours.meanUs(), ompiBest.algorithm()));
            }
            if (ours != null && ompiDefault != null) {
                sb.append(String.format(Locale.ROOT, " and takes %.2fx the time of Open MPI's default",
                        ours.meanUs() / ompiDefault.meanUs()));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    private static Row find(List<Row> g, String system, String algorithm) {
        return g.stream().filter(r -> r.system().equals(system) && r.algorithm().equals(algorithm)).findFirst()
                .orElse(null);
    }

    private static Row best(List<Row> g, String system) {
        return g.stream().filter(r -> r.system().equals(system) && !r.algorithm().startsWith("auto"))
                .min(Comparator.comparingDouble(Row::meanUs)).orElse(null);
    }

    private static String percent(double x) {
        return Double.isNaN(x) ? "n/a" : String.format(Locale.ROOT, "%.0f %%", 100 * x);
    }

    private static String time(double us) {
        if (Double.isNaN(us)) {
            return "n/a";
        }
        return us >= 1000 ? String.format(Locale.ROOT, "%.1f ms", us / 1e3) : String.format(Locale.ROOT, "%.0f µs",
                us);
    }
}

package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.algorithm.AlgorithmRegistry;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.HierarchicalAllreduce;
import io.ringsgd.collectives.Units;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code ringsgd bench}: measurements of the collectives. */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Measure collectives.",
        subcommands = {BenchCommand.Allreduce.class, BenchCommand.Gather.class, BenchCommand.Scatter.class,
            BenchCommand.Alltoall.class, BenchCommand.Allgatherv.class})
final class BenchCommand implements Runnable {

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** {@code ringsgd bench allreduce}. */
    @Command(name = "allreduce", mixinStandardHelpOptions = true,
            description = "Time AllReduce (out of place, float SUM) per message size, like nccl-tests: median and"
                    + " minimum time per operation (each iteration timed on its slowest rank), algorithm bandwidth"
                    + " and bus bandwidth (busbw = algbw × 2(P-1)/P), and whether the result was right (exact, or"
                    + " within the codec's error with --compress) and bit-identical on every rank.",
            footer = {"", "Examples:", "  ringsgd bench allreduce --np 4 --bytes 8,4m",
                "  ringsgd bench allreduce --transport tcp --np 4 --bytes 8:4m --algorithm all --json"})
    static final class Allreduce implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--transport",
                description = "local (threads of this JVM), tcp (one process per rank; starts --np processes"
                        + " itself unless run under 'ringsgd run') or mpj (under ringsgd-mpjrun). Default: tcp under"
                        + " 'ringsgd run', mpj under ringsgd-mpjrun, else local.")
        String transport;

        @Option(names = "--np", defaultValue = "4", description = "Ranks for local and tcp (default 4).")
        int np;

        @Option(names = "--bytes", defaultValue = "8,1k,64k,1m,4m",
                description = "Message sizes: a list (8,64k,4m) or a doubling sweep (8:4m). Default: ${DEFAULT-VALUE}.")
        String bytes;

        @Option(names = "--algorithm", defaultValue = "auto",
                description = "auto, ring, recursive-doubling, rabenseifner, tree, bcube, mpj-native, a comma list, or all.")
        String algorithm;

        @Option(names = "--iters", defaultValue = "50", description = "Timed iterations per size (default 50).")
        int iters;

        @Option(names = "--warmup", defaultValue = "10", description = "Untimed iterations before each size (default"
                + " 10).")
        int warmup;

        @Option(names = "--warmup-seconds", defaultValue = "2", description = "Seconds of AllReduces before the first"
                + " size, so the JIT has compiled what is measured (default ${DEFAULT-VALUE}).")
        double warmupSeconds;

        @Option(names = "--type", defaultValue = "float", description = "float or double (default float).")
        String type;

        @Option(names = "--segment", description = "Pipeline segment size, e.g. 256k (default: ringsgd.segment or"
                + " 256k).")
        String segment;

        @Option(names = "--compress", defaultValue = "none", description = "none, fp16, int8, 2bit, 1bit or ternary (float"
                + " only).")
        String compress;

        @Option(names = "--json", description = "One JSON object per line instead of a table.")
        boolean json;

        @Option(names = "--buffers", defaultValue = "heap", description = "heap (float[] / double[], the default) or"
                + " direct (little-endian direct ByteBuffers, which TCP sends and receives without staging copies).")
        String buffers;

        @Option(names = "--save-table", paramLabel = "FILE", description = "Write an algorithm table fitted to"
                + " these measurements (per size the fastest algorithm, for this number of ranks) to FILE; load it"
                + " with -Dringsgd.table=@FILE or RINGSGD_TABLE=@FILE. Measure with --algorithm all and a sweep of"
                + " --bytes.")
        java.nio.file.Path saveTable;

        @Option(names = "--trace", paramLabel = "FILE", description = "Write a timeline of every rank (each"
                + " collective and each message) to FILE in the Chrome trace-event format (Perfetto,"
                + " chrome://tracing).")
        java.nio.file.Path trace;

        @Mixin
        LinkOptions link;

        @Option(names = "--hierarchy", defaultValue = "none", description = "none (default) or host: AllReduce"
                + " through HierarchicalAllreduce with the hosts splitByHost() finds (a reduce-scatter inside each host,"
                + " AllReduces across hosts, an all-gather inside each host); reported as 'hierarchical'. Needs"
                + " --algorithm auto and a transport with communication contexts (local or tcp).")
        String hierarchy;

        @Option(names = "--show-table", description = "Print the algorithm selection table (with ringsgd.table and"
                + " ringsgd.algorithm applied) and exit.")
        boolean showTable;

        @Override
        public Integer call() throws Exception {
            if (showTable) {
                CommunicatorConfig c = CommunicatorConfig.fromSystemProperties();
                System.out.println("# collective      bytes from - to      ranks -> algorithm (first matching row wins)");
                System.out.print(c.table());
                if (c.allreduceAlgorithm() != Algorithm.AUTO) {
                    System.out.println("# AllReduce forced to " + c.allreduceAlgorithm().cliName()
                            + " by ringsgd.algorithm");
                }
                return 0;
            }
            Jobs.Transport t = Jobs.Transport.resolve(transport);
            List<Long> sizes = parseSizes(bytes);
            List<Algorithm> algorithms = parseAlgorithms(algorithm, t);
            ElementType et = parseType(type);
            CollectiveOptions base = CollectiveOptions.compressed(Compression.parse(compress));
            if (base.compression() != Compression.NONE && et != ElementType.FLOAT) {
                throw new IllegalArgumentException("--compress applies to --type float only");
            }
            if (iters < 1 || warmup < 0) {
                throw new IllegalArgumentException("--iters must be at least 1 and --warmup at least 0");
            }
            if (!buffers.equals("heap") && !buffers.equals("direct")) {
                throw new IllegalArgumentException("--buffers must be heap or direct, got '" + buffers + "'");
            }
            boolean direct = buffers.equals("direct");
            if (!hierarchy.equals("none") && !hierarchy.equals("host")) {
                throw new IllegalArgumentException("--hierarchy must be none or host, got '" + hierarchy + "'");
            }
            boolean hierarchical = hierarchy.equals("host");
            if (hierarchical && (algorithms.size() != 1 || algorithms.get(0) != Algorithm.AUTO)) {
                throw new IllegalArgumentException("--hierarchy host chooses its own algorithms inside and across"
                        + " hosts: drop --algorithm");
            }
            if (hierarchical && base.compression() != Compression.NONE) {
                throw new IllegalArgumentException("--hierarchy host sends uncompressed vectors: drop --compress");
            }
            if (hierarchical && t == Jobs.Transport.MPJ) {
                throw new IllegalArgumentException("--hierarchy host needs sub-communicators, which the MPJ transport"
                        + " has not: use --transport tcp (under ringsgd run) or local");
            }
            if (saveTable != null && saveTable.toAbsolutePath().getParent() != null
                    && !java.nio.file.Files.isDirectory(saveTable.toAbsolutePath().getParent())) {
                throw new IllegalArgumentException("--save-table " + saveTable + ": the directory "
                        + saveTable.toAbsolutePath().getParent() + " does not exist");
            }
            CommunicatorConfig.Builder cb = CommunicatorConfig.fromSystemProperties().toBuilder();
            if (link.link() != null) {
                cb.link(link.link());
            }
            if (segment != null) {
                cb.segmentBytes((int) Units.parseBytes(segment));
            }
            io.ringsgd.collectives.trace.Tracer tracer = trace == null ? io.ringsgd.collectives.trace.Tracer.OFF
                    : io.ringsgd.collectives.trace.Tracer.withCapacity(TrainCommand.TRACE_CAPACITY);
            CommunicatorConfig cfg = cb.tracer(tracer).build();
            if (t == Jobs.Transport.TCP && !Jobs.inTcpJob()) {
                List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
                return Launcher.builder(np).prefixRankZero(false).build().launch(args, System.out, System.err);
            }
            List<AllreduceBench.Result> results = Jobs.run(t, np, cfg, c -> {
                if (tracer.on()) {
                    io.ringsgd.collectives.trace.Traces.start(c, tracer);
                }
                List<AllreduceBench.Result> all = new ArrayList<>();
                if (hierarchical) {
                    try (HierarchicalAllreduce h = HierarchicalAllreduce.of(c)) {
                        if (c.rank() == 0) {
                            System.err.printf(Locale.ROOT, "bench: rank 0's host has %d of the %d ranks (%s form)%n",
                                    h.local().size(), c.size(), h.uniform() ? "reduce-scatter" : "leader");
                        }
                        AllreduceBench.warmUpJit(c, sizes, Algorithm.AUTO, base, warmupSeconds);
                        all.addAll(AllreduceBench.run(c, sizes, Algorithm.AUTO, base, et, iters, warmup, direct, h));
                    }
                } else {
                    for (Algorithm a : algorithms) {
                        AllreduceBench.warmUpJit(c, sizes, a, base, warmupSeconds / algorithms.size());
                        all.addAll(AllreduceBench.run(c, sizes, a, base, et, iters, warmup, direct));
                    }
                }
                if (tracer.on()) {
                    TrainCommand.writeTrace(c, tracer, trace, "bench");
                }
                return all;
            });
            if (results != null) {
                if (json) {
                    results.forEach(r -> System.out.println(r.toJson()));
                } else {
                    AllreduceBench.Result first = results.get(0);
                    System.out.printf(Locale.ROOT, "# ringsgd bench allreduce: transport=%s np=%d type=%s op=sum"
                            + " buffers=%s iters=%d warmup=%d compress=%s segment=%s%n", first.transport(),
                            first.np(), et.label(), buffers, iters, warmup, base.compression().cliName(),
                            Units.formatBytes(Jobs.forTransport(t, cfg).segmentBytes()));
                    System.out.print(AllreduceBench.table(results));
                }
                System.out.flush();
                if (saveTable != null) {
                    java.nio.file.Files.writeString(saveTable, TableFit.table(results,
                            java.time.LocalDateTime.now().withNano(0).toString()));
                    System.err.println("ringsgd: wrote the fitted algorithm table " + saveTable);
                }
                boolean allCorrect = results.stream().allMatch(AllreduceBench.Result::correct);
                return allCorrect ? 0 : 1;
            }
            return 0;
        }
    }

    /**
     * {@code ringsgd bench gather|scatter|alltoall|allgatherv}: the same columns as {@code bench allreduce}, from
     * {@link CollectiveBench}.
     */
    abstract static class Collective implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--transport", description = "local (threads of this JVM), tcp (one process per rank; starts"
                + " --np processes itself unless run under 'ringsgd run') or mpj (under ringsgd-mpjrun).")
        String transport;

        @Option(names = "--np", defaultValue = "4", description = "Ranks for local and tcp (default 4).")
        int np;

        @Option(names = "--bytes", defaultValue = "1k,64k,1m,4m", description = "Sizes of the whole P-block buffer"
                + " (the root's for gather and scatter, each rank's for alltoall, the gathered vector for"
                + " allgatherv): a list or a doubling sweep (8:4m). Default: ${DEFAULT-VALUE}.")
        String bytes;

        @Option(names = "--algorithm", defaultValue = "auto", description = "auto, a comma list of algorithms, or"
                + " all (every algorithm this collective has).")
        String algorithm;

        @Option(names = "--iters", defaultValue = "50", description = "Timed iterations per size (default 50).")
        int iters;

        @Option(names = "--warmup", defaultValue = "10", description = "Untimed iterations before each size (default"
                + " 10).")
        int warmup;

        @Option(names = "--type", defaultValue = "float", description = "float, double, int, long or byte (default"
                + " float).")
        String type;

        @Option(names = "--json", description = "One JSON object per line instead of a table.")
        boolean json;

        @Mixin
        LinkOptions link;

        abstract CollectiveKind kind();

        @Override
        public Integer call() throws Exception {
            Jobs.Transport t = Jobs.Transport.resolve(transport);
            List<Long> sizes = parseSizes(bytes);
            ElementType et = parseAnyType(type);
            if (iters < 1 || warmup < 0) {
                throw new IllegalArgumentException("--iters must be at least 1 and --warmup at least 0");
            }
            List<Algorithm> algorithms = new ArrayList<>();
            AlgorithmRegistry registry = AlgorithmRegistry.standard();
            if (algorithm.trim().equalsIgnoreCase("all")) {
                algorithms.addAll(registry.algorithms(kind()));
            } else {
                for (String a : algorithm.split(",")) {
                    Algorithm x = Algorithm.parse(a);
                    if (!registry.supports(kind(), x, null)) {
                        registry.require(kind(), x, null);
                    }
                    algorithms.add(x);
                }
            }
            CommunicatorConfig.Builder cb = CommunicatorConfig.fromSystemProperties().toBuilder();
            if (link.link() != null) {
                cb.link(link.link());
            }
            CommunicatorConfig cfg = cb.build();
            if (t == Jobs.Transport.TCP && !Jobs.inTcpJob()) {
                List<String> args = new ArrayList<>(spec.commandLine().getParseResult().originalArgs());
                return Launcher.builder(np).prefixRankZero(false).build().launch(args, System.out, System.err);
            }
            List<AllreduceBench.Result> results = Jobs.run(t, np, cfg, c -> {
                List<AllreduceBench.Result> all = new ArrayList<>();
                for (Algorithm a : algorithms) {
                    all.addAll(CollectiveBench.run(c, kind(), sizes, a, et, iters, warmup));
                }
                return all;
            });
            if (results == null) {
                return 0;
            }
            if (json) {
                results.forEach(r -> System.out.println(r.toJson()));
            } else {
                AllreduceBench.Result first = results.get(0);
                System.out.printf(Locale.ROOT, "# ringsgd bench %s: transport=%s np=%d type=%s iters=%d warmup=%d%n",
                        kind().label(), first.transport(), first.np(), et.label(), iters, warmup);
                System.out.print(AllreduceBench.table(results));
            }
            System.out.flush();
            return results.stream().allMatch(AllreduceBench.Result::correct) ? 0 : 1;
        }
    }

    /** {@code ringsgd bench gather}. */
    @Command(name = "gather", mixinStandardHelpOptions = true, description = "Time gather to rank 0 per size, with"
            + " the columns of bench allreduce (busbw = algbw × (P-1)/P).",
            footer = {"", "Example:", "  ringsgd bench gather --np 4 --bytes 1k,4m --algorithm all"})
    static final class Gather extends Collective {
        @Override
        CollectiveKind kind() {
            return CollectiveKind.GATHER;
        }
    }

    /** {@code ringsgd bench scatter}. */
    @Command(name = "scatter", mixinStandardHelpOptions = true, description = "Time scatter from rank 0 per size,"
            + " with the columns of bench allreduce (busbw = algbw × (P-1)/P).",
            footer = {"", "Example:", "  ringsgd bench scatter --np 4 --bytes 1k,4m --algorithm all"})
    static final class Scatter extends Collective {
        @Override
        CollectiveKind kind() {
            return CollectiveKind.SCATTER;
        }
    }

    /** {@code ringsgd bench alltoall}. */
    @Command(name = "alltoall", mixinStandardHelpOptions = true, description = "Time all-to-all per size (bytes each"
            + " rank sends in all), with the columns of bench allreduce (busbw = algbw × (P-1)/P).",
            footer = {"", "Example:", "  ringsgd bench alltoall --transport tcp --np 4 --bytes 4m --algorithm all"})
    static final class Alltoall extends Collective {
        @Override
        CollectiveKind kind() {
            return CollectiveKind.ALLTOALL;
        }
    }

    /** {@code ringsgd bench allgatherv}. */
    @Command(name = "allgatherv", mixinStandardHelpOptions = true, description = "Time allgatherv (uneven blocks,"
            + " from about half to one and a half times the even share) per size of the gathered vector, with the"
            + " columns of bench allreduce (busbw = algbw × (P-1)/P).",
            footer = {"", "Example:", "  ringsgd bench allgatherv --np 4 --bytes 1k,4m"})
    static final class Allgatherv extends Collective {
        @Override
        CollectiveKind kind() {
            return CollectiveKind.ALLGATHERV;
        }
    }

    /** float, double, int, long or byte. */
    static ElementType parseAnyType(String s) {
        for (ElementType t : ElementType.values()) {
            if (t.label().equalsIgnoreCase(s.trim())) {
                return t;
            }
        }
        throw new IllegalArgumentException("--type must be float, double, int, long or byte, got '" + s + "'");
    }

    /** "8,64k,4m" or the doubling sweep "8:4m". */
    static List<Long> parseSizes(String spec) {
        List<Long> out = new ArrayList<>();
        for (String part : spec.split(",")) {
            String p = part.trim();
            if (p.isEmpty()) {
                continue;
            }
            int colon = p.indexOf(':');
            if (colon >= 0) {
                long lo = Units.parseBytes(p.substring(0, colon));
                long hi = Units.parseBytes(p.substring(colon + 1));
                if (lo < 1 || hi < lo) {
                    throw new IllegalArgumentException("--bytes sweep '" + p + "' must go from at least 1 up");
                }
                for (long b = lo; b <= hi; b *= 2) {
                    out.add(b);
                }
            } else {
                long b = Units.parseBytes(p);
                if (b < 1) {
                    throw new IllegalArgumentException("--bytes sizes must be at least 1, got " + p);
                }
                out.add(b);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("--bytes is empty: give sizes like 8,64k,4m");
        }
        return out;
    }

    static List<Algorithm> parseAlgorithms(String spec, Jobs.Transport t) {
        List<Algorithm> out = new ArrayList<>();
        if (spec.trim().equalsIgnoreCase("all")) {
            out.addAll(List.of(Algorithm.RING, Algorithm.RECURSIVE_DOUBLING, Algorithm.RABENSEIFNER, Algorithm.TREE));
            if (t == Jobs.Transport.MPJ) {
                out.add(Algorithm.NATIVE);
            }
            return out;
        }
        for (String s : spec.split(",")) {
            Algorithm a = Algorithm.parse(s);
            if (a == Algorithm.NATIVE && t != Jobs.Transport.MPJ) {
                throw new IllegalArgumentException("--algorithm " + s.trim() + " needs --transport mpj (MPJ Express's"
                        + " own Allreduce)");
            }
            out.add(a);
        }
        return out;
    }

    static ElementType parseType(String s) {
        switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "float":
                return ElementType.FLOAT;
            case "double":
                return ElementType.DOUBLE;
            default:
                throw new IllegalArgumentException("--type must be float or double, got '" + s + "'");
        }
    }

}

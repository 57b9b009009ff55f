package io.ringsgd.plan.cost;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.Units;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import io.ringsgd.collectives.algorithm.BcubeAllreduce;
import io.ringsgd.collectives.codec.Codecs;
import io.ringsgd.collectives.emulation.LinkModel;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Predicted AllReduce times from the α-β-γ model (Hockney plus a reduction term, as in Thakur, Rabenseifner and
 * Gropp): α seconds per message, β seconds per byte moved, γ seconds per byte reduced, and for the compressed ring δ
 * seconds per element encoded or decoded ({@link CodecCost}). With no {@link LinkModel} the predictions are exactly the
 * formulas in the algorithms' class comments, counting α once per message as sent (a ring whose chunks are cut into S
 * segments pays 2(P−1)·S·α); {@link #terms} gives their coefficients, which is what {@link CostFit} fits. The
 * compressed ring's comment counts (2P−1)/P·n·δ for the decodes; its code also encodes every element once (own chunk
 * plus each re-encode on the way), so here it costs 2(P−1)·α + 2(P−1)/P·n·c·β + (P−1)/P·n·γ + n·δ_enc
 * + (2P−1)/P·n·δ_dec, the γ being the accumulation of the reduce-scatter's decodes. The low-bit formats (2bit, 1bit,
 * ternary: {@link Compression#gathersEncodings()}) take the encoded all-gather instead: n·δ_enc, then P−1 steps that
 * each move one encoding of e bytes ((P−1)·(α + e·β) on the host, the link's e/B plus latency per step), then P
 * decodes and P−1 accumulations, P·n·δ_dec + (P−1)·4n·γ; the ternary format, whose length depends on the values,
 * first all-gathers the P lengths (P−1 messages of 4 bytes more), and its e is {@link #TERNARY_BYTES_PER_ELEMENT}·n.
 *
 * <p>With a link ({@link #withLink}) α, β and γ describe the host (the transport's own per-message and per-byte CPU
 * work, as fitted on the in-JVM transport) and the link adds what {@link io.ringsgd.collectives.emulation
 * .EmulatedTransport} does: a rank's messages leave one at a time at the link's bandwidth and arrive one latency after
 * their last byte has left. A message posted at t is then complete at max(t + queueing + m/B + L, t + α + mβ [+ mγ]):
 * the host copies or reduces it (at once, in the thread that posts second) while the link "carries" it, and whichever
 * is slower decides. Work an algorithm does after a receive has completed (recursive doubling's reduction, the
 * compressed ring's decode and re-encode) adds on top. The ring is simulated segment by segment on one rank (every
 * rank runs the same schedule, so the arrivals from the left are this rank's own sends), so the pipelining of
 * segments against latency, the per-segment latency and the egress queue come out as the code behaves; the blocking
 * algorithms are summed round by round. The receive window does not enter: an emulated send is stamped when posted,
 * whether or not the receive is.
 *
 * <p>Scheduling ({@link #withLoad}): a thread that sleeps for a message wakes σ late, little on an idle machine and
 * about a scheduler slice while compute threads hold every core, and its CPU work stretches when it
 * shares the cores; this is what overlapping computation with an AllReduce costs on a machine with few cores.
 *
 * <p>Immutable; every {@code with…} returns a new model. Times are in seconds, sizes in bytes of 4-byte floats.
 */
public final class CostModel {
    /** Bytes per element of the vectors the model is about (float). */
    public static final int ELEMENT_BYTES = 4;
    /** The algorithms the model knows, in the order tables list them. */
    public static final List<Algorithm> ALGORITHMS = List.of(Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
            Algorithm.RABENSEIFNER, Algorithm.TREE);
    /**
     * Every algorithm with a formula: {@link #ALGORITHMS} and BCube (its default base n, one link per rank: what
     * one NIC gives it; it is asked for by name, never among the candidates of {@link #fastest}).
     */
    public static final List<Algorithm> FORMULAS = List.of(Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
            Algorithm.RABENSEIFNER, Algorithm.TREE, Algorithm.BCUBE);

    /**
     * Codec time per element: encoding one float, and decoding one without accumulating (an accumulating decode costs
     * decode + 4γ, the γ of a 4-byte reduction).
     */
    public record CodecCost(double encodeSeconds, double decodeSeconds) {
        public CodecCost {
            requireTime(encodeSeconds, "codec encode time per element");
            requireTime(decodeSeconds, "codec decode time per element");
        }
    }

    /**
     * Bytes per element the ternary format is taken to send (its length depends on the values): 0.05, about what its
     * default threshold gives on the gradients of the built-in MLP under error feedback (the README has the
     * measurement), against 0.27 for 2bit and 0.14 for 1bit.
     */
    public static final double TERNARY_BYTES_PER_ELEMENT = 0.05;

    private final double alpha;
    private final double beta;
    private final double gamma;
    private final Map<Compression, CodecCost> codecs;
    private final LinkModel link;
    private final int segmentBytes;
    private final double wakeup;
    private final double stretch;

    private CostModel(double alpha, double beta, double gamma, Map<Compression, CodecCost> codecs, LinkModel link,
            int segmentBytes, double wakeup, double stretch) {
        this.alpha = alpha;
        this.beta = beta;
        this.gamma = gamma;
        this.codecs = codecs;
        this.link = link;
        this.segmentBytes = segmentBytes;
        this.wakeup = wakeup;
        this.stretch = stretch;
    }

    /**
     * A host-only model: α seconds per message, β seconds per byte moved, γ seconds per byte reduced; segments of the
     * communicator's default 256k.
     */
    public static CostModel of(double alpha, double beta, double gamma) {
        requireTime(alpha, "α (seconds per message)");
        requireTime(beta, "β (seconds per byte)");
        requireTime(gamma, "γ (seconds per byte reduced)");
        return new CostModel(alpha, beta, gamma, new EnumMap<>(Compression.class), null, 256 << 10, 0, 1);
    }

    /** This model with the codec time of {@code c} (any lossy compression). */
    public CostModel withCodec(Compression c, CodecCost cost) {
        if (c == null || c == Compression.NONE) {
            throw new IllegalArgumentException("a codec cost belongs to a lossy compression (fp16, int8, 2bit, 1bit,"
                    + " ternary), got " + c);
        }
        if (cost == null) {
            throw new IllegalArgumentException("codec cost of " + c.cliName() + " is null");
        }
        Map<Compression, CodecCost> m = new EnumMap<>(Compression.class);
        m.putAll(codecs);
        m.put(c, cost);
        return new CostModel(alpha, beta, gamma, m, link, segmentBytes, wakeup, stretch);
    }

    /** This model behind an emulated (or real) link; null removes the link. */
    public CostModel withLink(LinkModel l) {
        return new CostModel(alpha, beta, gamma, codecs, l, segmentBytes, wakeup, stretch);
    }

    /** This model with the ring's segment size ({@code ringsgd.segment}, {@code CommunicatorConfig.segmentBytes}). */
    public CostModel withSegmentBytes(int bytes) {
        if (bytes < 1) {
            throw new IllegalArgumentException("segment size must be positive, got " + bytes);
        }
        return new CostModel(alpha, beta, gamma, codecs, link, bytes, wakeup, stretch);
    }

    /**
     * This model for an AllReduce that runs while computation keeps every core busy (Pipe-SGD, CoCoD-SGD): a thread
     * that had to sleep for a message wakes {@code wakeupSeconds} late, because it must wait for a core (about one
     * scheduler time slice; {@code ringsgd plan --measure} measures it), and the AllReduce's own CPU work (copies,
     * reductions, codecs) takes {@code cpuStretch} times as long, since it now shares the cores with the compute
     * threads. (0, 1) is an idle machine.
     */
    public CostModel withLoad(double wakeupSeconds, double cpuStretch) {
        requireTime(wakeupSeconds, "wake-up delay under load");
        if (!(cpuStretch >= 1) || Double.isInfinite(cpuStretch)) {
            throw new IllegalArgumentException("CPU stretch under load must be a finite number >= 1, got "
                    + cpuStretch);
        }
        return new CostModel(alpha, beta, gamma, codecs, link, segmentBytes, wakeupSeconds, cpuStretch);
    }

    /** This model on an idle machine (no {@link #withLoad load}). */
    public CostModel idle() {
        return wakeup == 0 && stretch == 1 ? this : withLoad(0, 1);
    }

    /** Seconds a sleeping thread wakes late under load (0 when idle). */
    public double wakeupSeconds() {
        return wakeup;
    }

    /** Factor on the AllReduce's CPU work under load (1 when idle). */
    public double cpuStretch() {
        return stretch;
    }

    /** Seconds per message. */
    public double alpha() {
        return alpha;
    }

    /** Seconds per byte moved. */
    public double beta() {
        return beta;
    }

    /** Seconds per byte reduced. */
    public double gamma() {
        return gamma;
    }

    /** The link, or null for the host alone. */
    public LinkModel link() {
        return link;
    }

    public int segmentBytes() {
        return segmentBytes;
    }

    /** The codec time of {@code c}, or null if none was given. */
    public CodecCost codec(Compression c) {
        return codecs.get(c);
    }

    /** True if {@link #compressedAllreduceSeconds} can predict {@code c}. */
    public boolean knowsCodec(Compression c) {
        return c == Compression.NONE || codecs.containsKey(c);
    }

    // ------------------------------------------------------------------------------------------------ predictions

    /**
     * Predicted time of an AllReduce (any op but AVG's final division) of {@code bytes} on {@code ranks} ranks with
     * {@code algorithm}; AUTO is resolved through the default {@link AlgorithmTable}, as the communicator does.
     */
    public double allreduceSeconds(Algorithm algorithm, int ranks, long bytes) {
        checkShape(ranks, bytes);
        Algorithm a = resolve(algorithm, ranks, bytes);
        if (ranks == 1 || bytes == 0) {
            return 0;
        }
        long count = elements(bytes);
        switch (a) {
            case RING:
                return ring(ranks, count, null);
            case RECURSIVE_DOUBLING:
                return recursiveDoubling(ranks, count);
            case RABENSEIFNER:
                return rabenseifner(ranks, count);
            case TREE:
                return tree(ranks, count);
            case BCUBE:
                return bcube(ranks, count);
            default:
                throw new IllegalStateException();
        }
    }

    /**
     * Predicted time of the compressed AllReduce of {@code floats} elements: the compressed ring for fp16 and int8,
     * the encoded all-gather for the low-bit formats ({@link Compression#NONE}: the plain ring). Needs the codec's
     * {@link CodecCost}.
     */
    public double compressedAllreduceSeconds(Compression c, int ranks, long floats) {
        if (c == null) {
            throw new IllegalArgumentException("compression is null: pass Compression.NONE or a lossy one");
        }
        checkShape(ranks, floats);
        if (ranks == 1 || floats == 0) {
            return 0;
        }
        if (c == Compression.NONE) {
            return ring(ranks, floats, null);
        }
        CodecCost cost = codecs.get(c);
        if (cost == null) {
            throw new IllegalArgumentException("no codec cost for " + c.cliName() + ": give one with withCodec"
                    + " (ringsgd plan --measure measures it)");
        }
        return c.gathersEncodings() ? encodedAllgather(ranks, floats, c) : ring(ranks, floats, c);
    }

    /** Bytes of one encoding of {@code floats} elements by {@code c} as the model counts them (see the class comment). */
    public static double encodingBytes(Compression c, long floats) {
        if (c == Compression.TERNARY) {
            return 4 + TERNARY_BYTES_PER_ELEMENT * floats;
        }
        return floats > Integer.MAX_VALUE ? (double) Codecs.encodedBytes(c, Integer.MAX_VALUE) / Integer.MAX_VALUE
                * floats : Codecs.encodedBytes(c, (int) floats);
    }

    /**
     * {@code EncodedAllgatherAllreduce} on one rank: encode, (lengths,) P−1 all-gather steps of one encoding each (the
     * link and the host work on a step's message at once, the slower decides; a step's receive wakes its thread),
     * then P decodes, P−1 of them accumulating.
     */
    private double encodedAllgather(int p, long count, Compression c) {
        CodecCost cc = codecs.get(c);
        double e = encodingBytes(c, count);
        double cpu = cc.encodeSeconds() * count * stretch;
        double lat = latency();
        if (c == Compression.TERNARY) {
            cpu += (p - 1) * (Math.max(wire(4) + lat, host(4, false)) + wakeup);
        }
        cpu += (p - 1) * (Math.max(wire(e) + lat, host(e, false)) + wakeup);
        cpu += (p * cc.decodeSeconds() + (p - 1) * ELEMENT_BYTES * gamma) * count * stretch;
        return cpu;
    }

    /**
     * CPU seconds one rank's threads spend on this AllReduce (the model without its link): what it takes away from
     * computation that runs at the same time on the same cores.
     */
    public double hostSeconds(Algorithm algorithm, Compression c, int ranks, long bytes) {
        CostModel host = withLink(null).idle();
        return c == null || c == Compression.NONE ? host.allreduceSeconds(algorithm, ranks, bytes)
                : host.compressedAllreduceSeconds(c, ranks, elements(bytes));
    }

    /** The algorithm this model predicts fastest for {@code bytes} on {@code ranks} ranks. */
    public Algorithm fastest(int ranks, long bytes) {
        Algorithm best = null;
        double bestT = Double.POSITIVE_INFINITY;
        for (Algorithm a : ALGORITHMS) {
            double t = allreduceSeconds(a, ranks, bytes);
            if (t < bestT) {
                best = a;
                bestT = t;
            }
        }
        return best;
    }

    /**
     * The coefficients (a, b, c) of the host-only prediction a·α + b·β + c·γ of {@code algorithm} for {@code bytes} on
     * {@code ranks} ranks with ring segments of {@code segmentBytes}: the α-β-γ formulas of the class comments, with
     * α counted per message. Linear in α, β, γ, which is what makes {@link CostFit} a least-squares problem.
     */
    public static double[] terms(Algorithm algorithm, int ranks, long bytes, int segmentBytes) {
        checkShape(ranks, bytes);
        if (segmentBytes < 1) {
            throw new IllegalArgumentException("segment size must be positive, got " + segmentBytes);
        }
        Algorithm a = resolve(algorithm, ranks, bytes);
        if (ranks == 1 || bytes == 0) {
            return new double[3];
        }
        double n = (double) elements(bytes) * ELEMENT_BYTES;
        int p = ranks;
        int pof2 = Integer.highestOneBit(p);
        int lg = Integer.numberOfTrailingZeros(pof2);
        int fold = p == pof2 ? 0 : 1;
        switch (a) {
            case RING: {
                Segments s = Segments.of(p, elements(bytes), segmentBytes);
                double m = s.segmentElements * ELEMENT_BYTES;
                return new double[] {2.0 * (p - 1) * s.count, 2.0 * (p - 1) * s.count * m, (p - 1.0) * s.count * m};
            }
            case RECURSIVE_DOUBLING:
                return new double[] {lg + 2 * fold, (lg + 2 * fold) * n, (lg + fold) * n};
            case RABENSEIFNER: {
                double moved = (pof2 - 1.0) / pof2 * n;
                return new double[] {2 * lg + 2 * fold, 2 * moved + 2 * fold * n, moved + fold * n};
            }
            case TREE: {
                int depth = 32 - Integer.numberOfLeadingZeros(p - 1);
                return new double[] {2 * depth, 2 * depth * n, depth * n};
            }
            case BCUBE: {
                int base = BcubeAllreduce.defaultBase(p);
                int levels = BcubeAllreduce.levels(p, 0);
                double moved = (p - 1.0) / p * n;
                return new double[] {2.0 * levels * levels * (base - 1), 2 * moved, moved};
            }
            default:
                throw new IllegalStateException();
        }
    }

    // ------------------------------------------------------------------------------------------------ algorithms

    /** Host work of one message of {@code m} bytes, reduced into the receiver's buffer if {@code reduce}. */
    private double host(double m, boolean reduce) {
        return (alpha + m * beta + (reduce ? m * gamma : 0)) * stretch;
    }

    private double wire(double m) {
        return link == null ? 0 : m / link.bytesPerSecond();
    }

    private double latency() {
        return link == null ? 0 : link.latency().toNanos() / 1e9;
    }

    /** One blocking exchange: the link and the host work on the message at once; the slower decides. */
    private double round(double m, boolean reduce) {
        double flight = wire(m) + latency();
        double work = host(m, reduce);
        // Under load a thread that sleeps for the message wakes late.
        return flight > work ? flight + wakeup : work;
    }

    /** MPICH's folding of a non-power-of-two group: the extra ranks hand their vector in and get the result back. */
    private double fold(int p, double n) {
        return p == Integer.highestOneBit(p) ? 0 : round(n, true) + round(n, false);
    }

    private double recursiveDoubling(int p, long count) {
        double n = (double) count * ELEMENT_BYTES;
        int pof2 = Integer.highestOneBit(p);
        double t = fold(p, n);
        for (int mask = 1; mask < pof2; mask <<= 1) {
            // The partner's vector lands in scratch; the reduction follows once both transfers are done.
            t += round(n, false) + n * gamma * stretch;
        }
        return t;
    }

    private double rabenseifner(int p, long count) {
        double n = (double) count * ELEMENT_BYTES;
        int pof2 = Integer.highestOneBit(p);
        double t = fold(p, n);
        for (int mask = 1; mask < pof2; mask <<= 1) {
            double m = n / (2.0 * mask);
            t += round(m, true) + round(m, false);
        }
        return t;
    }

    /**
     * BCube with its default base on one link: at each of its k+1 steps and both phases a rank sends k+1 slices'
     * n−1 blocks at once, the messages share the link, and the reduce-scatter reduces what arrived.
     */
    private double bcube(int p, long count) {
        double n = (double) count * ELEMENT_BYTES;
        int base = BcubeAllreduce.defaultBase(p);
        int levels = BcubeAllreduce.levels(p, 0);
        int messages = levels * (base - 1);
        double t = 0;
        double share = n;
        for (int u = 0; u < levels; u++) {
            share /= base;
            double m = share * (base - 1);
            t += exchange(messages, m, true) + exchange(messages, m, false);
        }
        return t;
    }

    /** {@code messages} sends of {@code bytes} in all, posted together and awaited together. */
    private double exchange(int messages, double bytes, boolean reduce) {
        double flight = wire(bytes) + latency();
        double work = (messages * alpha + bytes * beta + (reduce ? bytes * gamma : 0)) * stretch;
        return flight > work ? flight + wakeup : work;
    }

    private double tree(int p, long count) {
        double n = (double) count * ELEMENT_BYTES;
        int depth = 32 - Integer.numberOfLeadingZeros(p - 1);
        return depth * (round(n, true) + round(n, false));
    }

    /**
     * The segmented ring of {@link RingPipeline} (codec null) or {@link CompressedRingAllreduce}, simulated on one
     * rank: its own thread's clock (host work and, for the compressed ring, codec work, one after the other), its
     * link's egress queue, and the arrival times of the segments from the left neighbour, which by symmetry are the
     * arrival times of its own sends at the right neighbour.
     */
    private double ring(int p, long count, Compression compression) {
        Segments s = Segments.of(p, count, segmentBytes);
        int steps = 2 * p - 2;
        double len = s.segmentElements;
        double m;
        double enc = 0;
        double dec = 0;
        if (compression == null) {
            m = len * ELEMENT_BYTES;
        } else {
            int whole = (int) Math.ceil(len);
            m = Codecs.encodedBytes(compression, whole) * (len / whole);
            CodecCost cc = codecs.get(compression);
            enc = cc.encodeSeconds() * len * stretch;
            dec = cc.decodeSeconds() * len * stretch;
        }
        double acc = len * ELEMENT_BYTES * gamma * stretch;
        double wire = wire(m);
        double lat = latency();
        double cpu = 0;
        double egressFree = 0;
        double[] ready = new double[s.count];
        for (int j = 0; j < s.count; j++) {
            cpu += enc;
            double start = Math.max(cpu, egressFree);
            egressFree = start + wire;
            cpu += host(m, compression == null && p > 1);
            ready[j] = Math.max(egressFree + lat, cpu);
        }
        for (int step = 0; step < steps; step++) {
            boolean reduceScatter = step < p - 1;
            for (int j = 0; j < s.count; j++) {
                if (ready[j] > cpu) {
                    // The thread sleeps until the segment arrives; under load it wakes late.
                    cpu = ready[j] + wakeup;
                }
                if (compression != null) {
                    if (reduceScatter) {
                        cpu += dec + acc + enc + (step == p - 2 ? dec : 0);
                    } else {
                        cpu += dec;
                    }
                }
                if (step + 1 < steps) {
                    double start = Math.max(cpu, egressFree);
                    egressFree = start + wire;
                    cpu += host(m, compression == null && step + 1 < p - 1);
                    ready[j] = Math.max(egressFree + lat, cpu);
                }
            }
        }
        return cpu;
    }

    /** How {@link RingPipeline} cuts a vector: P chunks, the largest split into S equal segments. */
    private static final class Segments {
        final int count;
        final double segmentElements;

        private Segments(int count, double segmentElements) {
            this.count = count;
            this.segmentElements = segmentElements;
        }

        static Segments of(int p, long count, int segmentBytes) {
            long chunk = (count + p - 1) / p;
            long chunkBytes = chunk * ELEMENT_BYTES;
            int segments = (int) Math.max(1, (chunkBytes + segmentBytes - 1) / segmentBytes);
            return new Segments(segments, (double) chunk / segments);
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static Algorithm resolve(Algorithm a, int ranks, long bytes) {
        if (a == null) {
            throw new IllegalArgumentException("algorithm is null: pass one of auto, ring, recursive-doubling,"
                    + " rabenseifner, tree");
        }
        if (a == Algorithm.AUTO) {
            return AlgorithmTable.defaults().select(CollectiveKind.ALLREDUCE, bytes, ranks);
        }
        if (!FORMULAS.contains(a)) {
            throw new IllegalArgumentException("the cost model has no formula for " + a.cliName()
                    + ": use ring, recursive-doubling, rabenseifner, tree or bcube");
        }
        return a;
    }

    private static long elements(long bytes) {
        return Math.max(1, (bytes + ELEMENT_BYTES - 1) / ELEMENT_BYTES);
    }

    private static void checkShape(int ranks, long size) {
        if (ranks < 1) {
            throw new IllegalArgumentException("ranks must be at least 1, got " + ranks);
        }
        if (size < 0) {
            throw new IllegalArgumentException("message size must be >= 0, got " + size);
        }
    }

    private static void requireTime(double v, String what) {
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException(what + " must be a finite number >= 0, got " + v);
        }
    }

    /** "α=12.0us β=0.21ns/B γ=0.35ns/B, link 200us latency, 1gbit". */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "alpha=%.2fus beta=%.4fns/B gamma=%.4fns/B",
                alpha * 1e6, beta * 1e9, gamma * 1e9));
        for (Map.Entry<Compression, CodecCost> e : codecs.entrySet()) {
            sb.append(String.format(Locale.ROOT, " delta[%s]=%.2f/%.2fns/elem", e.getKey().cliName(),
                    e.getValue().encodeSeconds() * 1e9, e.getValue().decodeSeconds() * 1e9));
        }
        sb.append(" segment=").append(Units.formatBytes(segmentBytes));
        if (link != null) {
            sb.append(", link ").append(link);
        }
        return sb.toString();
    }
}

package io.ringsgd.plan.cost;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.Compression;
import io.ringsgd.collectives.algorithm.AlgorithmTable;
import io.ringsgd.collectives.emulation.LinkModel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The α-β-γ cost model against hand-computed values of the algorithms' formulas, with and without an emulated link,
 * the least-squares fit recovering known parameters from noisy samples and rejecting samples that cannot determine
 * them, and the model agreeing with the default algorithm table about which algorithms suit short and long vectors.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CostModelTest {
    private static final double ALPHA = 10e-6;
    private static final double BETA = 1e-9;
    private static final double GAMMA = 0.5e-9;
    private static final long MB = 1 << 20;

    private final CostModel host = CostModel.of(ALPHA, BETA, GAMMA);

    @Test
    void hostOnlyTimesAreTheClassCommentFormulas() {
        double n = MB;
        // P = 4, 1 MiB: each ring chunk is 256k, one segment.
        assertThat(host.allreduceSeconds(Algorithm.RING, 4, MB))
                .isCloseTo(6 * ALPHA + 2 * 0.75 * n * BETA + 0.75 * n * GAMMA, within(1e-12));
        assertThat(host.allreduceSeconds(Algorithm.RING, 4, MB)).isCloseTo(2026.08e-6, within(1e-9));
        assertThat(host.allreduceSeconds(Algorithm.RECURSIVE_DOUBLING, 4, MB))
                .isCloseTo(2 * (ALPHA + n * BETA + n * GAMMA), within(1e-12));
        assertThat(host.allreduceSeconds(Algorithm.RABENSEIFNER, 4, MB))
                .isCloseTo(4 * ALPHA + 2 * 0.75 * n * BETA + 0.75 * n * GAMMA, within(1e-12));
        assertThat(host.allreduceSeconds(Algorithm.TREE, 4, MB))
                .isCloseTo(4 * ALPHA + 4 * n * BETA + 2 * n * GAMMA, within(1e-12));
        // Not a power of two: recursive doubling and Rabenseifner fold the extra rank in and out.
        assertThat(host.allreduceSeconds(Algorithm.RECURSIVE_DOUBLING, 3, MB))
                .isCloseTo(3 * ALPHA + 3 * n * BETA + 2 * n * GAMMA, within(1e-12));
        assertThat(host.allreduceSeconds(Algorithm.RABENSEIFNER, 6, MB))
                .isCloseTo(2 * 2 * ALPHA + 2 * 0.75 * n * BETA + 0.75 * n * GAMMA
                        + 2 * ALPHA + 2 * n * BETA + n * GAMMA, within(1e-12));
        // ceil(lg 5) = 3 tree levels.
        assertThat(host.allreduceSeconds(Algorithm.TREE, 5, MB))
                .isCloseTo(6 * ALPHA + 6 * n * BETA + 3 * n * GAMMA, within(1e-12));
    }

    @Test
    void ringSegmentsPayOneAlphaEach() {
        // P = 2, 4 MiB: chunks of 2 MiB cut into 8 segments of 256k, 2 steps of 8 messages each.
        double n = 4 * MB;
        assertThat(host.allreduceSeconds(Algorithm.RING, 2, 4 * MB))
                .isCloseTo(16 * ALPHA + n * BETA + 0.5 * n * GAMMA, within(1e-12));
        // With 4 MiB segments the same vector goes as one message per step.
        assertThat(host.withSegmentBytes(4 << 20).allreduceSeconds(Algorithm.RING, 2, 4 * MB))
                .isCloseTo(2 * ALPHA + n * BETA + 0.5 * n * GAMMA, within(1e-12));
    }

    @Test
    void termsAreTheCoefficientsOfTheHostOnlyPrediction() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (Algorithm a : CostModel.FORMULAS) {
            for (int p : new int[] {2, 3, 4, 5, 8, 12}) {
                for (long bytes : new long[] {4, 1000, 65536, 3 * MB, 17 * MB}) {
                    double al = rnd.nextDouble() * 1e-4;
                    double be = rnd.nextDouble() * 1e-8;
                    double ga = rnd.nextDouble() * 1e-8;
                    double[] t = CostModel.terms(a, p, bytes, 256 << 10);
                    assertThat(CostModel.of(al, be, ga).allreduceSeconds(a, p, bytes))
                            .as("%s P=%d %d bytes", a, p, bytes)
                            .isCloseTo(t[0] * al + t[1] * be + t[2] * ga, within(1e-12));
                }
            }
        }
    }

    @Test
    void bcubeMovesWhatTheRingMovesInFewerRounds() {
        // BCube(2,1), P = 4: 2 levels, 2 slices, so 2 messages in each of 4 steps; 2·3/4·n bytes sent, 3/4·n reduced.
        double n = 4 * MB;
        assertThat(CostModel.of(ALPHA, BETA, GAMMA).allreduceSeconds(Algorithm.BCUBE, 4, 4 * MB))
                .isCloseTo(8 * ALPHA + 1.5 * n * BETA + 0.75 * n * GAMMA, within(1e-12));
        // BCube(3,1), P = 9: 2 levels of 2 partners, 2 slices: 4 messages per step, 4 steps.
        assertThat(CostModel.terms(Algorithm.BCUBE, 9, 9 * 4000, 256 << 10))
                .containsExactly(new double[] {16, 2 * 8 * 4000, 8 * 4000}, within(1e-9));
    }

    @Test
    void autoIsTheDefaultTablesChoiceAndTrivialCasesCostNothing() {
        AlgorithmTable table = AlgorithmTable.defaults();
        for (long bytes : new long[] {8, 64 << 10, 4 * MB}) {
            Algorithm chosen = table.select(CollectiveKind.ALLREDUCE, bytes, 4);
            assertThat(host.allreduceSeconds(Algorithm.AUTO, 4, bytes))
                    .isEqualTo(host.allreduceSeconds(chosen, 4, bytes));
        }
        assertThat(host.allreduceSeconds(Algorithm.RING, 1, MB)).isZero();
        assertThat(host.allreduceSeconds(Algorithm.RING, 4, 0)).isZero();
        assertThat(host.compressedAllreduceSeconds(Compression.NONE, 4, MB / 4))
                .isEqualTo(host.allreduceSeconds(Algorithm.RING, 4, MB));
    }

    @Test
    void overAnEmulatedLinkTheRingPaysLatencyPerStepAndEgressPerByte() {
        CostModel link = CostModel.of(0, 0, 0).withLink(new LinkModel(Duration.ofNanos(200_000), 125e6));
        // 235146 floats on 4 ranks: 6 steps of the largest chunk (58787 floats, 235148 bytes) each,
        // 1.881184 ms on the wire + 0.2 ms.
        assertThat(link.allreduceSeconds(Algorithm.RING, 4, 235146L * 4))
                .isCloseTo(6 * (235148 / 125e6 + 200e-6), within(1e-12));
        // Rabenseifner: 2 + 2 rounds of n/2 and n/4; recursive doubling: 2 rounds of n; tree: 2 + 2 levels of n.
        double n = 235146.0 * 4;
        assertThat(link.allreduceSeconds(Algorithm.RABENSEIFNER, 4, 235146L * 4))
                .isCloseTo(4 * 200e-6 + 2 * (n / 2 + n / 4) / 125e6, within(1e-12));
        assertThat(link.allreduceSeconds(Algorithm.RECURSIVE_DOUBLING, 4, 235146L * 4))
                .isCloseTo(2 * (200e-6 + n / 125e6), within(1e-12));
        assertThat(link.allreduceSeconds(Algorithm.TREE, 4, 235146L * 4))
                .isCloseTo(4 * (200e-6 + n / 125e6), within(1e-12));
    }

    @Test
    void segmentsPipelineAgainstLatencyAndQueueAtTheEgress() {
        // P = 4, 4 MiB: chunks of 1 MiB in S = 4 segments of 256 KiB; tau = one segment on the wire.
        double tau = (256 << 10) / 1e9;
        // Latency-bound: every step costs tau + L on the path of the last segment, which starts (S-1)·tau late.
        CostModel slow = CostModel.of(0, 0, 0).withLink(new LinkModel(Duration.ofMillis(5), 1e9));
        assertThat(slow.allreduceSeconds(Algorithm.RING, 4, 4 * MB))
                .isCloseTo(6 * (tau + 5e-3) + 3 * tau, within(1e-12));
        // Bandwidth-bound (no latency): the egress is never idle, 24 segments back to back.
        CostModel fast = CostModel.of(0, 0, 0).withLink(new LinkModel(Duration.ZERO, 1e9));
        assertThat(fast.allreduceSeconds(Algorithm.RING, 4, 4 * MB)).isCloseTo(24 * tau, within(1e-12));
    }

    @Test
    void theHostAndTheLinkOverlapAndTheSlowerDecides() {
        // A link far faster than the host changes nothing; a host far faster than the link is invisible.
        CostModel fastLink = host.withLink(new LinkModel(Duration.ZERO, 1e15));
        for (Algorithm a : CostModel.ALGORITHMS) {
            assertThat(fastLink.allreduceSeconds(a, 4, MB)).isCloseTo(host.allreduceSeconds(a, 4, MB),
                    within(1e-9));
        }
        LinkModel slow = new LinkModel(Duration.ofMillis(1), 1e6);
        CostModel tinyHost = CostModel.of(1e-12, 1e-18, 1e-18).withLink(slow);
        assertThat(tinyHost.allreduceSeconds(Algorithm.RABENSEIFNER, 4, MB))
                .isCloseTo(CostModel.of(0, 0, 0).withLink(slow).allreduceSeconds(Algorithm.RABENSEIFNER, 4, MB),
                        within(1e-9));
        assertThat(host.withLink(slow).hostSeconds(Algorithm.RING, Compression.NONE, 4, MB))
                .isEqualTo(host.allreduceSeconds(Algorithm.RING, 4, MB));
    }

    @Test
    void underLoadEverySleepWakesLateAndCpuWorkStretches() {
        LinkModel link = new LinkModel(Duration.ofMillis(1), 1e9);
        CostModel idle = CostModel.of(0, 0, 0).withLink(link);
        CostModel loaded = idle.withLoad(0.5e-3, 2);
        // The ring sleeps once per step (6 on 4 ranks), the blocking algorithms once per round.
        assertThat(loaded.allreduceSeconds(Algorithm.RING, 4, MB) - idle.allreduceSeconds(Algorithm.RING, 4, MB))
                .isCloseTo(6 * 0.5e-3, within(1e-12));
        assertThat(loaded.allreduceSeconds(Algorithm.RABENSEIFNER, 4, MB)
                - idle.allreduceSeconds(Algorithm.RABENSEIFNER, 4, MB)).isCloseTo(4 * 0.5e-3, within(1e-12));
        // Without a link the host's work is all there is, and it stretches.
        assertThat(host.withLoad(1e-3, 2).allreduceSeconds(Algorithm.RING, 4, MB))
                .isCloseTo(2 * host.allreduceSeconds(Algorithm.RING, 4, MB), within(1e-12));
        assertThat(loaded.idle().allreduceSeconds(Algorithm.RING, 4, MB))
                .isEqualTo(idle.allreduceSeconds(Algorithm.RING, 4, MB));
    }

    @Test
    void theCompressedRingMovesEncodedBytesAndPaysItsCodecWork() {
        // P = 2, 1024 floats: one chunk of 512 floats per step, 512 + 2 scales x 4 bytes = 520 bytes in int8.
        LinkModel link = new LinkModel(Duration.ofMillis(1), 1e6);
        CostModel wireOnly = CostModel.of(0, 0, 0).withLink(link)
                .withCodec(Compression.INT8, new CostModel.CodecCost(0, 0));
        assertThat(wireOnly.compressedAllreduceSeconds(Compression.INT8, 2, 1024))
                .isCloseTo(2 * (520 / 1e6 + 1e-3), within(1e-12));
        // Codec work alone: encode the own chunk, then (last reduce-scatter step) decode+accumulate, re-encode,
        // decode the final chunk; then (all-gather) decode: 512 x (1 + 2 + 4x0.25 + 1 + 2 + 2) ns.
        CostModel codecOnly = CostModel.of(0, 0, 0.25e-9).withCodec(Compression.INT8,
                new CostModel.CodecCost(1e-9, 2e-9));
        assertThat(codecOnly.compressedAllreduceSeconds(Compression.INT8, 2, 1024))
                .isCloseTo(512 * 9e-9, within(1e-15));
        assertThatThrownBy(() -> host.compressedAllreduceSeconds(Compression.FP16, 4, 1000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no codec cost for fp16");
    }

    @Test
    void theLowBitFormatsPayAnAllgatherOfTheirEncodingsAndPDecodes() {
        // P = 4, 1024 floats in 1bit: 4 blocks of 36 bytes = 144 bytes per encoding, 3 steps each carrying one.
        LinkModel link = new LinkModel(Duration.ofMillis(1), 1e6);
        CostModel wireOnly = CostModel.of(0, 0, 0).withLink(link)
                .withCodec(Compression.ONE_BIT, new CostModel.CodecCost(0, 0))
                .withCodec(Compression.TERNARY, new CostModel.CodecCost(0, 0));
        assertThat(wireOnly.compressedAllreduceSeconds(Compression.ONE_BIT, 4, 1024))
                .isCloseTo(3 * (144 / 1e6 + 1e-3), within(1e-12));
        // Ternary: first the 4-byte lengths (3 steps), then encodings of 4 + 0.05 bytes per float.
        double e = 4 + CostModel.TERNARY_BYTES_PER_ELEMENT * 1024;
        assertThat(wireOnly.compressedAllreduceSeconds(Compression.TERNARY, 4, 1024))
                .isCloseTo(3 * (4 / 1e6 + 1e-3) + 3 * (e / 1e6 + 1e-3), within(1e-12));
        // Codec work alone: one encode, four decodes, three accumulations of 4 bytes per float.
        CostModel codecOnly = CostModel.of(0, 0, 0.25e-9).withCodec(Compression.TWO_BIT,
                new CostModel.CodecCost(1e-9, 2e-9));
        assertThat(codecOnly.compressedAllreduceSeconds(Compression.TWO_BIT, 4, 1024))
                .isCloseTo(1024 * (1e-9 + 4 * 2e-9 + 3 * 1e-9), within(1e-15));
        // On a slow link of large vectors the sparse format beats 1bit, which beats int8's ring at P = 4.
        CostModel slow = CostModel.of(0, 0, 0).withLink(new LinkModel(Duration.ZERO, 1e8))
                .withCodec(Compression.INT8, new CostModel.CodecCost(0, 0))
                .withCodec(Compression.ONE_BIT, new CostModel.CodecCost(0, 0))
                .withCodec(Compression.TERNARY, new CostModel.CodecCost(0, 0));
        double int8 = slow.compressedAllreduceSeconds(Compression.INT8, 4, 1 << 20);
        double oneBit = slow.compressedAllreduceSeconds(Compression.ONE_BIT, 4, 1 << 20);
        double ternary = slow.compressedAllreduceSeconds(Compression.TERNARY, 4, 1 << 20);
        assertThat(ternary).isLessThan(oneBit);
        assertThat(oneBit).isLessThan(int8);
    }

    @Test
    void orderingOfAlgorithmsAgreesWithTheDefaultTable() {
        AlgorithmTable table = AlgorithmTable.defaults();
        // A cluster-like host: 20 us per message, 1 GB/s, reductions at 4 GB/s.
        CostModel m = CostModel.of(20e-6, 1e-9, 0.25e-9).withSegmentBytes(1 << 20);
        for (int p : new int[] {4, 8, 16}) {
            // Short vectors: the table's recursive doubling has the fewest rounds and wins.
            for (long bytes : new long[] {8, 1024, 8192}) {
                assertThat(m.fastest(p, bytes)).as("P=%d %d bytes", p, bytes)
                        .isEqualTo(table.select(CollectiveKind.ALLREDUCE, bytes, p));
            }
            // Medium: Rabenseifner (the table's choice) beats recursive doubling and the tree.
            long medium = 64 << 10;
            Algorithm mid = table.select(CollectiveKind.ALLREDUCE, medium, p);
            assertThat(mid).isEqualTo(Algorithm.RABENSEIFNER);
            assertThat(m.allreduceSeconds(mid, p, medium)).isEqualTo(m.allreduceSeconds(m.fastest(p, medium), p,
                    medium));
            // Long: the table's ring is bandwidth-optimal, within 10% of the best and well ahead of the
            // algorithms that move the whole vector every round.
            long big = 16 * MB;
            Algorithm large = table.select(CollectiveKind.ALLREDUCE, big, p);
            assertThat(large).isEqualTo(Algorithm.RING);
            double best = m.allreduceSeconds(m.fastest(p, big), p, big);
            assertThat(m.allreduceSeconds(large, p, big)).isLessThanOrEqualTo(best * 1.10);
            assertThat(m.allreduceSeconds(large, p, big))
                    .isLessThan(m.allreduceSeconds(Algorithm.RECURSIVE_DOUBLING, p, big) / 1.3)
                    .isLessThan(m.allreduceSeconds(Algorithm.TREE, p, big) / 1.5);
        }
    }

    @Test
    void badParametersAreRejected() {
        assertThatThrownBy(() -> CostModel.of(-1, 0, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("α");
        assertThatThrownBy(() -> CostModel.of(0, Double.NaN, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("β");
        assertThatThrownBy(() -> host.allreduceSeconds(Algorithm.NATIVE, 4, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no formula for native");
        assertThatThrownBy(() -> host.allreduceSeconds(Algorithm.RING, 0, 8))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ranks");
        assertThatThrownBy(() -> host.withLoad(0, 0.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("stretch");
        assertThatThrownBy(() -> host.withCodec(Compression.NONE, new CostModel.CodecCost(0, 0)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // -------------------------------------------------------------------------------------------------- the fit

    private static List<CostFit.Sample> samples(double a, double b, double g, double noise, List<Algorithm> algs,
            long[] sizes, int p, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        CostModel m = CostModel.of(a, b, g);
        List<CostFit.Sample> out = new ArrayList<>();
        for (Algorithm alg : algs) {
            for (long bytes : sizes) {
                double t = m.allreduceSeconds(alg, p, bytes) * (1 + noise * rnd.nextGaussian());
                out.add(new CostFit.Sample(alg, p, bytes, t));
            }
        }
        return out;
    }

    private static final long[] SWEEP = {8, 64, 512, 4096, 32768, 262144, 1 << 20, 4 << 20};

    @Test
    void theFitRecoversKnownParametersFromNoisySamples() {
        List<CostFit.Sample> s = samples(12e-6, 0.2e-9, 0.4e-9, 0.02, CostModel.ALGORITHMS, SWEEP, 4, 11);
        CostFit.Result fit = CostFit.fit(s, 256 << 10);
        assertThat(fit.alpha()).isCloseTo(12e-6, within(12e-6 * 0.05));
        assertThat(fit.beta()).isCloseTo(0.2e-9, within(0.2e-9 * 0.10));
        assertThat(fit.gamma()).isCloseTo(0.4e-9, within(0.4e-9 * 0.10));
        assertThat(fit.residuals()).hasSize(s.size());
        assertThat(fit.rmsRelative()).isBetween(0.005, 0.05);
        CostModel m = fit.model();
        assertThat(m.allreduceSeconds(Algorithm.RING, 4, 1 << 20))
                .isCloseTo(CostModel.of(12e-6, 0.2e-9, 0.4e-9).allreduceSeconds(Algorithm.RING, 4, 1 << 20),
                        within(0.05 * CostModel.of(12e-6, 0.2e-9, 0.4e-9).allreduceSeconds(Algorithm.RING, 4,
                                1 << 20)));
        // Exact samples fit exactly.
        CostFit.Result exact = CostFit.fit(samples(3e-6, 1e-9, 0.1e-9, 0, CostModel.ALGORITHMS, SWEEP, 8, 1),
                256 << 10);
        assertThat(exact.alpha()).isCloseTo(3e-6, within(1e-12));
        assertThat(exact.beta()).isCloseTo(1e-9, within(1e-16));
        assertThat(exact.gamma()).isCloseTo(0.1e-9, within(1e-16));
        assertThat(exact.maxRelative()).isLessThan(1e-9);
    }

    @Test
    void theFitKeepsTimesNonNegative() {
        // Data whose best unconstrained fit has a negative gamma: gamma is pinned to 0, the others refitted.
        List<CostFit.Sample> s = new ArrayList<>(samples(5e-6, 1e-9, 0, 0, List.of(Algorithm.RING), SWEEP, 4, 2));
        for (long bytes : SWEEP) {
            double t = CostModel.of(5e-6, 1e-9, 0).allreduceSeconds(Algorithm.RECURSIVE_DOUBLING, 4, bytes) * 0.8;
            s.add(new CostFit.Sample(Algorithm.RECURSIVE_DOUBLING, 4, bytes, t));
        }
        CostFit.Result fit = CostFit.fit(s, 256 << 10);
        assertThat(fit.alpha()).isGreaterThanOrEqualTo(0);
        assertThat(fit.beta()).isGreaterThan(0);
        assertThat(fit.gamma()).isZero();
    }

    @Test
    void degenerateSamplesAreRejectedSayingWhatToMeasure() {
        assertThatThrownBy(() -> CostFit.fit(samples(5e-6, 1e-9, 1e-9, 0, List.of(Algorithm.RING, Algorithm.TREE,
                Algorithm.RABENSEIFNER), SWEEP, 4, 1), 256 << 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("recursive-doubling")
                .hasMessageContaining("beta");
        assertThatThrownBy(() -> CostFit.fit(samples(5e-6, 1e-9, 1e-9, 0.01, List.of(Algorithm.RING,
                Algorithm.RECURSIVE_DOUBLING), new long[] {4096, 4096}, 4, 1), 256 << 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("sizes");
        assertThatThrownBy(() -> CostFit.fit(List.of(new CostFit.Sample(Algorithm.RING, 4, 8, 1e-5)), 256 << 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 3 samples");
        assertThatThrownBy(() -> new CostFit.Sample(Algorithm.RING, 4, 8, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> new CostFit.Sample(Algorithm.RING, 1, 8, 1e-5))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("2 ranks");
        assertThatThrownBy(() -> new CostFit.Sample(Algorithm.AUTO, 4, 8, 1e-5))
                .isInstanceOf(IllegalArgumentException.class);
    }
}

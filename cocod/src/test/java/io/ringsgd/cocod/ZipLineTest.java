package io.ringsgd.cocod;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** ZipLine's one sweep equals a brute-force search over all R^n choices, ties included. */
@Timeout(60)
class ZipLineTest {

    /** The rule by exhaustion: smallest spread, then earliest barrier, then each worker's latest index. */
    private static ZipLine.Decision bruteForce(double[][] ends) {
        int n = ends.length;
        int r = ends[0].length;
        int[] c = new int[n];
        double bestSpread = Double.POSITIVE_INFINITY;
        double bestBarrier = Double.POSITIVE_INFINITY;
        int[] best = null;
        while (true) {
            double max = Double.NEGATIVE_INFINITY;
            double min = Double.POSITIVE_INFINITY;
            for (int i = 0; i < n; i++) {
                max = Math.max(max, ends[i][c[i]]);
                min = Math.min(min, ends[i][c[i]]);
            }
            double spread = max - min;
            boolean better = spread < bestSpread || (spread == bestSpread && max < bestBarrier);
            boolean same = spread == bestSpread && max == bestBarrier;
            if (better) {
                bestSpread = spread;
                bestBarrier = max;
                best = c.clone();
            } else if (same) {
                for (int i = 0; i < n; i++) {
                    best[i] = Math.max(best[i], c[i]);
                }
            }
            int i = 0;
            while (i < n && ++c[i] == r) {
                c[i++] = 0;
            }
            if (i == n) {
                break;
            }
        }
        return new ZipLine.Decision(bestBarrier, bestSpread, best);
    }

    private static void agree(double[][] ends) {
        ZipLine.Decision z = ZipLine.decide(ends);
        ZipLine.Decision b = bruteForce(ends);
        String input = Arrays.deepToString(ends);
        assertThat(z.spread()).as(input).isEqualTo(b.spread());
        assertThat(z.barrier()).as(input).isEqualTo(b.barrier());
        assertThat(z.points()).as(input).containsExactly(b.points());
    }

    @Test
    void equalsBruteForceOnRandomTimesWithManyTies() {
        Random rnd = new Random(17);
        for (int trial = 0; trial < 3000; trial++) {
            int n = 1 + rnd.nextInt(4);
            int r = 1 + rnd.nextInt(5);
            double[][] ends = new double[n][r];
            for (int i = 0; i < n; i++) {
                // Small integers: equal times within and across workers are common.
                double t = rnd.nextInt(4);
                for (int k = 0; k < r; k++) {
                    t += rnd.nextInt(3);
                    ends[i][k] = t;
                }
            }
            agree(ends);
        }
    }

    @Test
    void equalsBruteForceOnRandomRealTimesAndOnPredictions() {
        Random rnd = new Random(5);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rnd.nextInt(5);
            int r = 1 + rnd.nextInt(4);
            double[] start = new double[n];
            double[] step = new double[n];
            for (int i = 0; i < n; i++) {
                start[i] = rnd.nextBoolean() ? 0 : rnd.nextDouble();
                step[i] = trial % 2 == 0 ? 1 + rnd.nextInt(3) : 0.1 + rnd.nextDouble() * 3;
            }
            agree(ZipLine.predict(start, step, 1 + rnd.nextInt(3), r));
        }
    }

    @Test
    void aTwiceSlowerWorkerRunsHalfTheIterations() {
        double[][] ends = ZipLine.predict(new double[4], new double[] {1, 1, 1, 2}, 4, 8);
        ZipLine.Decision d = ZipLine.decide(ends);
        assertThat(d.spread()).isZero();
        assertThat(d.barrier()).isEqualTo(8.0);
        assertThat(new int[] {d.steps(0) + 3, d.steps(1) + 3, d.steps(2) + 3, d.steps(3) + 3})
                .containsExactly(8, 8, 8, 4);
    }

    @Test
    void refusesRaggedOrUnsortedInput() {
        assertThatThrownBy(() -> ZipLine.decide(new double[][] {{1, 2}, {1}}))
                .hasMessageContaining("worker 1 has 1 predicted points");
        assertThatThrownBy(() -> ZipLine.decide(new double[][] {{2, 1}}))
                .hasMessageContaining("non-decreasing");
        assertThatThrownBy(() -> ZipLine.decide(new double[0][])).hasMessageContaining("at least one worker");
    }
}

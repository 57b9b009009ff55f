package io.ringsgd.cocod;

import java.util.Arrays;

/**
 * ZipLine, the barrier placement of Elastic BSP (Zhao et al., "Elastic Bulk Synchronous Parallel Model for
 * Distributed Deep Learning", ICDM 2019): given each of n workers' next R predicted iteration end times, pick one
 * point per worker so that the spread of the chosen points (latest minus earliest) is the smallest; the barrier goes
 * there and each worker runs up to its chosen point. Pure: no clock, no communication, so ranks that feed it the same
 * numbers get the same decision.
 *
 * <p>Ties are resolved completely, so the answer is a function of the input: among the choices of smallest spread,
 * the one whose latest point (the barrier) is earliest; among those, each worker takes its last point at or before
 * the barrier (the most iterations that fit). {@link #decide} sorts the n·R points once and scans them once with a
 * sliding window that holds at least one point of every worker (the smallest-range-covering-all-lists scan):
 * O(nR log nR) time, O(nR) memory.
 */
public final class ZipLine {

    private ZipLine() {
    }

    /** The barrier ZipLine chose: its time, the spread of the chosen points, and each worker's chosen point. */
    public record Decision(double barrier, double spread, int[] points) {
        /**
         * Iterations worker {@code i} runs before the barrier when point index 0 is its first iteration's end.
         *
         * @param i the worker
         * @return the chosen point's index + 1
         */
        public int steps(int i) {
            return points[i] + 1;
        }
    }

    /**
     * Chooses one point per worker.
     *
     * @param ends ends[i][k] is worker i's (k+1)-th predicted iteration end time; every row has the same length R
     *             &gt;= 1 and is non-decreasing; n &gt;= 1; no NaN
     * @return the decision; {@code points()[i]} indexes {@code ends[i]}
     * @throws IllegalArgumentException if the input breaks these rules
     */
    public static Decision decide(double[][] ends) {
        int n = ends.length;
        if (n == 0) {
            throw new IllegalArgumentException("ZipLine needs at least one worker");
        }
        int r = ends[0].length;
        if (r == 0) {
            throw new IllegalArgumentException("ZipLine needs at least one predicted point per worker");
        }
        for (int i = 0; i < n; i++) {
            if (ends[i].length != r) {
                throw new IllegalArgumentException("worker " + i + " has " + ends[i].length + " predicted points,"
                        + " worker 0 has " + r + ": give every worker the same number");
            }
            for (int k = 0; k < r; k++) {
                if (Double.isNaN(ends[i][k]) || (k > 0 && ends[i][k] < ends[i][k - 1])) {
                    throw new IllegalArgumentException("worker " + i + "'s predicted end times must be numbers in"
                            + " non-decreasing order, got " + Arrays.toString(ends[i]));
                }
            }
        }
        // Points sorted by time; a point is encoded as worker * r + index.
        int m = n * r;
        Integer[] order = new Integer[m];
        for (int p = 0; p < m; p++) {
            order[p] = p;
        }
        Arrays.sort(order, (a, b) -> {
            int c = Double.compare(ends[a / r][a % r], ends[b / r][b % r]);
            return c != 0 ? c : Integer.compare(a, b);
        });
        int[] inWindow = new int[n];
        int covered = 0;
        int left = 0;
        double bestSpread = Double.POSITIVE_INFINITY;
        double bestBarrier = Double.NaN;
        for (int right = 0; right < m; right++) {
            int w = order[right] / r;
            if (inWindow[w]++ == 0) {
                covered++;
            }
            if (covered < n) {
                continue;
            }
            // Drop points from the left while every worker keeps one in the window.
            while (inWindow[order[left] / r] > 1) {
                inWindow[order[left] / r]--;
                left++;
            }
            double hi = time(ends, order[right], r);
            double spread = hi - time(ends, order[left], r);
            // Strictly smaller only: a later window of equal spread has a later (or equal) barrier.
            if (spread < bestSpread) {
                bestSpread = spread;
                bestBarrier = hi;
            }
        }
        int[] points = new int[n];
        for (int i = 0; i < n; i++) {
            int k = r - 1;
            while (ends[i][k] > bestBarrier) {
                k--;
            }
            points[i] = k;
        }
        return new Decision(bestBarrier, bestSpread, points);
    }

    private static double time(double[][] ends, int point, int r) {
        return ends[point / r][point % r];
    }

    /**
     * Worker i's next {@code lookahead} predicted end times when it starts at {@code start[i]} and takes
     * {@code stepTime[i]} per iteration: start + (first + k)·step for k = 0 … lookahead − 1, so that point index k
     * means first + k iterations.
     *
     * @param start     when each worker starts (any common unit)
     * @param stepTime  each worker's time per iteration, &gt;= 0
     * @param first     the fewest iterations any worker runs, &gt;= 1
     * @param lookahead R, &gt;= 1
     * @return the n × R matrix {@link #decide} takes
     */
    public static double[][] predict(double[] start, double[] stepTime, int first, int lookahead) {
        if (first < 1 || lookahead < 1) {
            throw new IllegalArgumentException("ZipLine needs first >= 1 and lookahead >= 1, got " + first + " and "
                    + lookahead);
        }
        double[][] ends = new double[stepTime.length][lookahead];
        for (int i = 0; i < stepTime.length; i++) {
            for (int k = 0; k < lookahead; k++) {
                ends[i][k] = start[i] + (first + k) * stepTime[i];
            }
        }
        return ends;
    }
}

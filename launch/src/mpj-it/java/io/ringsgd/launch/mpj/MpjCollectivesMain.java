package io.ringsgd.launch.mpj;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.CommunicatorConfig;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ReduceOp;
import io.ringsgd.collectives.UserReduction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One rank of an MPJ Express job ({@link MpjIT}) that runs every collective of issue 18 over the MPJ transport
 * against serial references: integer allreduce with every integer op and algorithm, scan and exscan, gatherv,
 * scatterv, allgatherv, alltoallv, reduceScatterv, MINLOC, a non-commutative user reduction, and the non-blocking
 * forms; prints {@code RESULT rank R ok} or the first wrong results, and that dup is refused.
 */
public final class MpjCollectivesMain {
    private MpjCollectivesMain() {
    }

    static long v(int r, int i) {
        return (r * 31L + i * 7L) % 13 - 6;
    }

    public static void main(String[] args) {
        MpjRuntime.init(args);
        Communicator c = MpjRuntime.communicator(CommunicatorConfig.builder().timeout(Duration.ofSeconds(60))
                .build());
        List<String> bad = new ArrayList<>();
        int p = c.size();
        int r = c.rank();
        try {
            int n = 1009;
            for (ReduceOp op : new ReduceOp[] {ReduceOp.SUM, ReduceOp.PROD, ReduceOp.MIN, ReduceOp.MAX, ReduceOp.BAND,
                ReduceOp.BOR, ReduceOp.BXOR, ReduceOp.LAND, ReduceOp.LOR}) {
                for (Algorithm a : new Algorithm[] {Algorithm.RING, Algorithm.RECURSIVE_DOUBLING,
                    Algorithm.RABENSEIFNER, Algorithm.TREE}) {
                    int[] x = new int[n];
                    for (int i = 0; i < n; i++) {
                        x[i] = (int) v(r, i);
                    }
                    c.allreduce(null, ElementBuffer.of(x), op, CollectiveOptions.algorithm(a));
                    for (int i = 0; i < n; i++) {
                        long e = v(0, i);
                        for (int q = 1; q < p; q++) {
                            e = apply(op, e, v(q, i));
                        }
                        if (x[i] != (int) e) {
                            bad.add("int allreduce " + op + " " + a + " [" + i + "]");
                            break;
                        }
                    }
                }
            }
            long[] s = new long[n];
            long[] ex = new long[n];
            for (int i = 0; i < n; i++) {
                s[i] = v(r, i);
            }
            c.iscan(ElementBuffer.of(s.clone()), ElementBuffer.of(s), ReduceOp.SUM, CollectiveOptions.DEFAULT)
                    .await();
            long[] in = new long[n];
            for (int i = 0; i < n; i++) {
                in[i] = v(r, i);
            }
            c.exscan(ElementBuffer.of(in), ElementBuffer.of(ex), ReduceOp.MAX, CollectiveOptions.DEFAULT);
            for (int i = 0; i < n; i++) {
                long sum = 0;
                long max = Long.MIN_VALUE;
                for (int q = 0; q <= r; q++) {
                    sum += v(q, i);
                    max = q < r ? Math.max(max, v(q, i)) : max;
                }
                if (s[i] != sum || (r > 0 && ex[i] != max)) {
                    bad.add("scan/exscan [" + i + "]");
                    break;
                }
            }
            int[] counts = new int[p];
            int total = 0;
            for (int q = 0; q < p; q++) {
                counts[q] = (q * 5 + 3) % 7;
                total += counts[q];
            }
            float[] mine = new float[counts[r]];
            for (int i = 0; i < mine.length; i++) {
                mine[i] = r * 100 + i;
            }
            float[] all = new float[total];
            c.allgatherv(ElementBuffer.of(mine), ElementBuffer.of(all), counts, null, CollectiveOptions.DEFAULT);
            float[] want = new float[total];
            for (int q = 0, k = 0; q < p; q++) {
                for (int i = 0; i < counts[q]; i++) {
                    want[k++] = q * 100 + i;
                }
            }
            if (!Arrays.equals(all, want)) {
                bad.add("allgatherv");
            }
            float[] atRoot = r == 1 % p ? new float[total] : null;
            c.igatherv(ElementBuffer.of(mine), atRoot == null ? null : ElementBuffer.of(atRoot), counts, null, 1 % p,
                    CollectiveOptions.DEFAULT).await();
            if (atRoot != null && !Arrays.equals(atRoot, want)) {
                bad.add("gatherv");
            }
            float[] piece = new float[counts[r]];
            c.scatterv(r == 0 ? ElementBuffer.of(want) : null, counts, null, ElementBuffer.of(piece), 0,
                    CollectiveOptions.DEFAULT);
            if (!Arrays.equals(piece, mine)) {
                bad.add("scatterv");
            }
            int[] sc = new int[p];
            int[] rc = new int[p];
            for (int q = 0; q < p; q++) {
                sc[q] = (r + q) % 3 + 1;
                rc[q] = (q + r) % 3 + 1;
            }
            double[] out = new double[Arrays.stream(sc).sum()];
            for (int q = 0, k = 0; q < p; q++) {
                for (int i = 0; i < sc[q]; i++) {
                    out[k++] = r * 1000 + q * 10 + i;
                }
            }
            double[] got = new double[Arrays.stream(rc).sum()];
            c.alltoallv(ElementBuffer.of(out), sc, null, ElementBuffer.of(got), rc, null, CollectiveOptions.DEFAULT);
            for (int q = 0, k = 0; q < p; q++) {
                for (int i = 0; i < rc[q]; i++) {
                    if (got[k++] != q * 1000 + r * 10 + i) {
                        bad.add("alltoallv from " + q);
                    }
                }
            }
            long[] contrib = new long[total];
            for (int i = 0; i < total; i++) {
                contrib[i] = v(r, i);
            }
            long[] block = new long[counts[r]];
            c.reduceScatterv(ElementBuffer.of(contrib), ElementBuffer.of(block), counts, ReduceOp.BXOR,
                    CollectiveOptions.DEFAULT);
            int first = 0;
            for (int q = 0; q < r; q++) {
                first += counts[q];
            }
            for (int i = 0; i < block.length; i++) {
                long e = 0;
                for (int q = 0; q < p; q++) {
                    e ^= v(q, first + i);
                }
                if (block[i] != e) {
                    bad.add("reduceScatterv [" + i + "]");
                    break;
                }
            }
            double[] vals = {r % 2, -r, 5};
            int[] idx = {10 - r, r, 3 * r};
            c.allreduceLoc(ElementBuffer.of(vals), ElementBuffer.of(idx), ReduceOp.MINLOC, CollectiveOptions.DEFAULT);
            if (vals[0] != 0 || idx[0] != 10 - (p - 1) / 2 * 2 || vals[1] != -(p - 1) || idx[1] != p - 1
                    || vals[2] != 5 || idx[2] != 0) {
                bad.add("minloc " + Arrays.toString(vals) + " " + Arrays.toString(idx));
            }
            UserReduction first1 = UserReduction.nonCommutative("first non-zero", (a, ao, b, bo, k) -> {
                for (int i = 0; i < k; i++) {
                    if (a.getLong(ao + i) != 0) {
                        b.setLong(bo + i, a.getLong(ao + i));
                    }
                }
            });
            long[] fz = {r == 0 ? 0 : r, r + 1};
            c.allreduce(null, ElementBuffer.of(fz), first1, CollectiveOptions.DEFAULT);
            if (fz[0] != (p > 1 ? 1 : 0) || fz[1] != 1) {
                bad.add("user reduction " + Arrays.toString(fz));
            }
            c.ibarrier().await();
            try {
                c.dup();
                bad.add("dup was not refused");
            } catch (UnsupportedOperationException expected) {
                // MPJ Express has no communication contexts here
            }
            c.barrier();
        } catch (RuntimeException e) {
            bad.add(e.toString());
        }
        System.out.println("RESULT rank " + r + " " + (bad.isEmpty() ? "ok" : String.join("; ", bad)));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static long apply(ReduceOp op, long a, long b) {
        switch (op) {
            case SUM:
                return (int) (a + b);
            case PROD:
                return (int) (a * b);
            case MIN:
                return Math.min(a, b);
            case MAX:
                return Math.max(a, b);
            case BAND:
                return a & b;
            case BOR:
                return a | b;
            case BXOR:
                return a ^ b;
            case LAND:
                return a != 0 && b != 0 ? 1 : 0;
            default:
                return a != 0 || b != 0 ? 1 : 0;
        }
    }
}

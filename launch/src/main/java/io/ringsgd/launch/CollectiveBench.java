package io.ringsgd.launch;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.CollectiveKind;
import io.ringsgd.collectives.CollectiveOptions;
import io.ringsgd.collectives.Communicator;
import io.ringsgd.collectives.ElementBuffer;
import io.ringsgd.collectives.ElementType;
import io.ringsgd.collectives.ReduceOp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times gather, scatter, all-to-all and allgatherv the way {@link AllreduceBench} times AllReduce (same result
 * columns): after warm-up, each iteration timed on every rank, an iteration's time being its slowest rank's, and the
 * result checked exactly. The size of a run is the whole P-block buffer (the root's for gather and scatter, each
 * rank's for all-to-all, the gathered vector for allgatherv); bus bandwidth is algbw × (P−1)/P, as nccl-tests
 * counts these collectives. Every rank calls {@link #run} and gets the same results.
 */
public final class CollectiveBench {
    /** The collectives this bench times. */
    public static final List<CollectiveKind> KINDS = List.of(CollectiveKind.GATHER, CollectiveKind.SCATTER,
            CollectiveKind.ALLTOALL, CollectiveKind.ALLGATHERV);

    private CollectiveBench() {
    }

    /**
     * Measures {@code kind} at every size in {@code sizes} (bytes of the whole buffer, rounded down to P whole
     * blocks of at least one element) with {@code algorithm} (AUTO: the table's choice).
     */
    public static List<AllreduceBench.Result> run(Communicator c, CollectiveKind kind, List<Long> sizes,
            Algorithm algorithm, ElementType type, int iters, int warmup) {
        if (iters < 1 || warmup < 0) {
            throw new IllegalArgumentException("--iters must be >= 1 and --warmup >= 0");
        }
        List<AllreduceBench.Result> out = new ArrayList<>();
        CollectiveOptions opts = CollectiveOptions.algorithm(algorithm);
        int p = c.size();
        int r = c.rank();
        double sharing = AllreduceBench.ranksInThisProcess(c);
        for (long bytes : sizes) {
            int block = (int) Math.max(1, bytes / type.bytes() / p);
            int total = block * p;
            int[] counts = new int[p];
            int sum = 0;
            for (int q = 0; q < p; q++) {
                // Uneven blocks, from about half to about one and a half times the even share.
                counts[q] = Math.max(0, block + (int) ((long) (2 * q - (p - 1)) * block / (2 * p)));
                sum += counts[q];
            }
            int vTotal = sum;
            ElementBuffer send;
            ElementBuffer recv;
            Runnable op;
            switch (kind) {
                case GATHER:
                    send = filled(type, block, q -> value(r, q));
                    recv = r == 0 ? filled(type, total, q -> 0) : null;
                    op = () -> c.gather(send, recv, 0, opts);
                    break;
                case SCATTER:
                    send = r == 0 ? filled(type, total, q -> value(0, q)) : null;
                    recv = filled(type, block, q -> 0);
                    op = () -> c.scatter(send, recv, 0, opts);
                    break;
                case ALLTOALL:
                    send = filled(type, total, q -> value(r, q));
                    recv = filled(type, total, q -> 0);
                    op = () -> c.alltoall(send, recv, opts);
                    break;
                default:
                    send = filled(type, counts[r], q -> value(r, q));
                    recv = filled(type, vTotal, q -> 0);
                    op = () -> c.allgatherv(send, recv, counts, null, opts);
            }
            for (int i = 0; i < warmup; i++) {
                op.run();
            }
            c.barrier();
            double[] t = new double[iters];
            long cpuStart = AllreduceBench.processCpuNanos();
            long loopStart = System.nanoTime();
            for (int i = 0; i < iters; i++) {
                long t0 = System.nanoTime();
                op.run();
                t[i] = (System.nanoTime() - t0) / 1e3;
            }
            double[] loop = {(System.nanoTime() - loopStart) / 1e3 / iters};
            double[] cpu = {(AllreduceBench.processCpuNanos() - cpuStart) / 1e6 / iters / sharing};
            double[] ok = {correct(kind, r, p, block, counts, recv) ? 1 : 0};
            c.allreduce(t, ReduceOp.MAX);
            c.allreduce(loop, ReduceOp.MAX);
            c.allreduce(ok, ReduceOp.MIN);
            c.allreduce(cpu, ReduceOp.SUM);
            double[] sorted = t.clone();
            Arrays.sort(sorted);
            double median = iters % 2 == 1 ? sorted[iters / 2] : (sorted[iters / 2 - 1] + sorted[iters / 2]) / 2;
            long realBytes = (long) (kind == CollectiveKind.ALLGATHERV ? vTotal : total) * type.bytes();
            double algbw = realBytes / (median * 1e-6) / 1e9;
            out.add(new AllreduceBench.Result(c.transportName(), p, name(c, kind, algorithm, realBytes), realBytes,
                    iters, median, sorted[0], loop[0], algbw, algbw * (p - 1) / p, ok[0] == 1, cpu[0]));
        }
        return out;
    }

    /** The algorithm's name; AUTO as the selection table resolves it. */
    private static String name(Communicator c, CollectiveKind kind, Algorithm a, long bytes) {
        if (a != Algorithm.AUTO) {
            return a.cliName();
        }
        return io.ringsgd.collectives.CommunicatorConfig.fromSystemProperties().table().select(kind, bytes,
                c.size()).cliName();
    }

    /** Element {@code i} of rank {@code r}'s input: small, so that every element type holds it exactly. */
    private static long value(int r, long i) {
        return (r * 7 + i) % 101;
    }

    private static ElementBuffer filled(ElementType type, int n, java.util.function.LongUnaryOperator f) {
        ElementBuffer b = ElementBuffer.allocate(type, n);
        for (int i = 0; i < n; i++) {
            b.setLong(i, f.applyAsLong(i));
        }
        return b;
    }

    private static boolean correct(CollectiveKind kind, int r, int p, int block, int[] counts, ElementBuffer recv) {
        if (recv == null) {
            return true;
        }
        int at = 0;
        for (int q = 0; q < p; q++) {
            int n = kind == CollectiveKind.ALLGATHERV ? counts[q] : block;
            if (kind == CollectiveKind.SCATTER && q > 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                long want;
                switch (kind) {
                    case SCATTER:
                        want = value(0, (long) r * block + i);
                        break;
                    case ALLTOALL:
                        want = value(q, (long) r * block + i);
                        break;
                    default:
                        want = value(q, i);
                }
                if (recv.getLong(at + i) != want) {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }
}

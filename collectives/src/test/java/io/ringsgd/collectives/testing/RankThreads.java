package io.ringsgd.collectives.testing;

import io.ringsgd.collectives.CollectiveException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Runs one task per rank on its own thread; a rank's exception is its result, so one failure never hides the rest. */
public final class RankThreads {
    private RankThreads() {
    }

    /** Each rank's result, or the exception it threw, in rank order. */
    public static List<Object> runCatching(int n, IntFunction<Callable<Object>> rank) {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<Object>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                fs.add(pool.submit(rank.apply(r)));
            }
            List<Object> out = new ArrayList<>();
            for (Future<Object> f : fs) {
                try {
                    out.add(f.get());
                } catch (ExecutionException e) {
                    out.add(e.getCause());
                }
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted", e);
        } finally {
            pool.shutdownNow();
        }
    }
}

package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.TrainConfig;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The CoCoD-SGD settings that have no field of their own in {@link TrainConfig}; they travel as its string options
 * ({@link TrainConfig.Builder#option}), so the same command line works for every launcher:
 * <ul>
 *   <li>{@value #WEIGHTED} = true|false (default false): weight each rank's model in the average by its mini-batch
 *       size, w_i / Σw, instead of 1 / P. Meant for workers of unequal speed that get unequal batches.</li>
 *   <li>{@value #BATCH_SIZES} = b_0,b_1,…,b_{P−1} (default: every rank uses {@code --batch}): the mini-batch size of
 *       each rank, one per worker. {@code --batch} still sets the nominal batch that defines the iterations of an
 *       epoch; a rank with a larger batch passes over its shard more often in the same number of iterations.</li>
 * </ul>
 * Other keys starting with {@code cocod.} are rejected (they are almost certainly typos); keys of other trainers are
 * ignored.
 */
public final class CocodOptions {
    /** Option key: weight the average by mini-batch size. */
    public static final String WEIGHTED = "cocod.weighted";
    /** Option key: per-rank mini-batch sizes. */
    public static final String BATCH_SIZES = "cocod.batch-sizes";

    private static final String PREFIX = "cocod.";
    private static final List<String> KEYS = List.of(WEIGHTED, BATCH_SIZES);

    private final boolean weighted;
    private final int[] batchSizes;

    private CocodOptions(boolean weighted, int[] batchSizes) {
        this.weighted = weighted;
        this.batchSizes = batchSizes;
    }

    /** Reads and checks the options of {@code cfg}; a bad value gives a one-line {@link IllegalArgumentException}. */
    public static CocodOptions of(TrainConfig cfg) {
        Map<String, String> mine = new HashMap<>();
        for (Map.Entry<String, String> e : cfg.options().entrySet()) {
            String key = e.getKey().trim().toLowerCase(Locale.ROOT);
            if (key.startsWith(PREFIX)) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException("unknown cocod option '" + e.getKey() + "': use "
                            + String.join(" or ", KEYS));
                }
                mine.put(key, e.getValue().trim());
            }
        }
        String w = mine.getOrDefault(WEIGHTED, "false");
        if (!w.equalsIgnoreCase("true") && !w.equalsIgnoreCase("false")) {
            throw new IllegalArgumentException(WEIGHTED + " must be true or false, got '" + w + "'");
        }
        int[] sizes = new int[cfg.workers()];
        Arrays.fill(sizes, cfg.batch());
        String list = mine.get(BATCH_SIZES);
        if (list != null) {
            String[] parts = list.split(",");
            if (parts.length != cfg.workers()) {
                throw new IllegalArgumentException(BATCH_SIZES + " '" + list + "' lists " + parts.length
                        + " batch sizes for " + cfg.workers() + " workers: give one per worker, e.g. "
                        + example(cfg.workers(), cfg.batch()));
            }
            for (int i = 0; i < parts.length; i++) {
                try {
                    sizes[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    sizes[i] = -1;
                }
                if (sizes[i] < 1) {
                    throw new IllegalArgumentException(BATCH_SIZES + " '" + list + "': entry " + i + " ('"
                            + parts[i].trim() + "') is not a positive batch size: give one positive integer per "
                            + "worker, e.g. " + example(cfg.workers(), cfg.batch()));
                }
            }
        }
        return new CocodOptions(w.equalsIgnoreCase("true"), sizes);
    }

    private static String example(int workers, int batch) {
        StringBuilder sb = new StringBuilder(BATCH_SIZES).append('=');
        for (int i = 0; i < workers; i++) {
            sb.append(i == 0 ? "" : ",").append(i % 2 == 0 ? batch : 2 * batch);
        }
        return sb.toString();
    }

    /** True if the average is weighted by mini-batch size. */
    public boolean weighted() {
        return weighted;
    }

    /** Mini-batch size of {@code rank}. */
    public int batchSize(int rank) {
        return batchSizes[rank];
    }

    /** Per-rank mini-batch sizes (a copy). */
    public int[] batchSizes() {
        return batchSizes.clone();
    }

    /** The form stored in checkpoints, e.g. "16,32". */
    String batchSizesText() {
        return TrainConfig.join(batchSizes);
    }
}

package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainerOption;
import java.util.Arrays;

/**
 * The options of the CoCoD-SGD trainer, declared by {@link CocodTrainerProvider} and read from the configuration's
 * trainer options, so the same command line works for every launcher:
 * <ul>
 *   <li>{@code local-steps} = τ (default {@value CocodSgdTrainer#DEFAULT_LOCAL_STEPS}; {@code --local-steps}): local
 *       SGD steps per model average.</li>
 *   <li>{@code cocod.weighted} = true|false (default false): weight each rank's model in the average by its
 *       mini-batch size, w_i / Σw, instead of 1 / P. Meant for workers of unequal speed that get unequal batches.</li>
 *   <li>{@code cocod.batch-sizes} = b_0,b_1,…,b_{P−1} (default: every rank uses {@code --batch}): the mini-batch size
 *       of each rank, one per worker. {@code --batch} still sets the nominal batch that defines the iterations of an
 *       epoch; a rank with a larger batch passes over its shard more often in the same number of iterations.</li>
 * </ul>
 */
public final class CocodOptions {
    /** Local steps τ between model averages. */
    public static final TrainerOption<Integer> LOCAL_STEPS = TrainerOption.integer("local-steps",
            CocodSgdTrainer.DEFAULT_LOCAL_STEPS, 1, Integer.MAX_VALUE,
            "CoCoD-SGD: local SGD steps per model average, tau >= 1");
    /** Weight the average by mini-batch size. */
    public static final TrainerOption<Boolean> WEIGHTED = TrainerOption.flag("cocod.weighted", false,
            "weight the model average by each worker's batch");
    /** Per-rank mini-batch sizes. */
    public static final TrainerOption<String> BATCH_SIZES = TrainerOption.text("cocod.batch-sizes",
            "list of integers", "--batch for every worker", "one mini-batch size per worker, e.g. 16,16,32,32");

    private final int tau;
    private final boolean weighted;
    private final int[] batchSizes;

    private CocodOptions(int tau, boolean weighted, int[] batchSizes) {
        this.tau = tau;
        this.weighted = weighted;
        this.batchSizes = batchSizes;
    }

    /** Reads and checks the options of {@code cfg}; a bad value gives a one-line {@link IllegalArgumentException}. */
    public static CocodOptions of(TrainConfig cfg) {
        int workers = cfg.workers();
        int batch = cfg.data().batch();
        int[] sizes = new int[workers];
        Arrays.fill(sizes, batch);
        String list = cfg.option(BATCH_SIZES);
        if (list != null) {
            String[] parts = list.split(",");
            if (parts.length != workers) {
                throw new IllegalArgumentException(BATCH_SIZES.name() + " '" + list + "' lists " + parts.length
                        + " batch sizes for " + workers + " workers: give one per worker, e.g. "
                        + example(workers, batch));
            }
            for (int i = 0; i < parts.length; i++) {
                try {
                    sizes[i] = Integer.parseInt(parts[i].trim());
                } catch (NumberFormatException e) {
                    sizes[i] = -1;
                }
                if (sizes[i] < 1) {
                    throw new IllegalArgumentException(BATCH_SIZES.name() + " '" + list + "': entry " + i + " ('"
                            + parts[i].trim() + "') is not a positive batch size: give one positive integer per "
                            + "worker, e.g. " + example(workers, batch));
                }
            }
        }
        return new CocodOptions(cfg.option(LOCAL_STEPS), cfg.option(WEIGHTED), sizes);
    }

    private static String example(int workers, int batch) {
        StringBuilder sb = new StringBuilder(BATCH_SIZES.name()).append('=');
        for (int i = 0; i < workers; i++) {
            sb.append(i == 0 ? "" : ",").append(i % 2 == 0 ? batch : 2 * batch);
        }
        return sb.toString();
    }

    /** Local steps τ per model average. */
    public int localSteps() {
        return tau;
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

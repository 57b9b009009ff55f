package io.ringsgd.pipesgd.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a run reports besides its result: how often it evaluates on the test set and where the metrics go. The
 * constructor rejects bad values with a one-line {@link IllegalArgumentException} naming the flag.
 *
 * @param dir       directory for metrics.csv, metrics.png and summary.json ({@code --out}), or null
 * @param evalEvery iterations between test evaluations besides the one at every epoch's end ({@code --eval-every};
 *                  0 = none)
 */
public record OutputConfig(Path dir, long evalEvery) {
    /** No output directory, evaluations at the epochs' ends only. */
    public static final OutputConfig NONE = new OutputConfig(null, 0);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to pass instead
     */
    public OutputConfig {
        if (evalEvery < 0) {
            throw new IllegalArgumentException("eval-every must be >= 0 iterations (0 = at the end of each "
                    + "epoch only), got " + evalEvery);
        }
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a directory: pass a directory");
        }
    }
}

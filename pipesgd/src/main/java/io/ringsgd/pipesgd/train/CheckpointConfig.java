package io.ringsgd.pipesgd.train;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where and how often a run saves its state, and whether it continues from it. The constructor rejects bad values
 * with a one-line {@link IllegalArgumentException} naming the flag.
 *
 * @param dir      directory of checkpoints ({@code --checkpoint-dir}), or null for none
 * @param every    iterations between checkpoints ({@code --checkpoint-every}; 0 = only at the end)
 * @param resume   continue from the newest checkpoint in {@code dir} ({@code --resume})
 * @param override resume even where the optimizer settings or epochs differ from the checkpoint's
 *                 ({@code --resume-override}); without it such a resume is refused
 */
public record CheckpointConfig(Path dir, long every, boolean resume, boolean override) {
    /** No checkpoints. */
    public static final CheckpointConfig NONE = new CheckpointConfig(null, 0, false, false);

    /**
     * Checks the values.
     *
     * @throws IllegalArgumentException one line naming the bad value and what to pass instead
     */
    public CheckpointConfig {
        if (every < 0) {
            throw new IllegalArgumentException("checkpoint-every must be >= 0 iterations (0 = only at the end), "
                    + "got " + every);
        }
        if (resume && dir == null) {
            throw new IllegalArgumentException("--resume needs --checkpoint-dir: say where the checkpoints are");
        }
        if (override && !resume) {
            throw new IllegalArgumentException("--resume-override changes what a resume accepts: use it with"
                    + " --resume");
        }
        if (dir != null && Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--checkpoint-dir " + dir + " is a file, not a directory: pass a "
                    + "directory");
        }
    }

    /**
     * Whether the run writes checkpoints.
     *
     * @return true if {@link #dir()} is set
     */
    public boolean enabled() {
        return dir != null;
    }
}

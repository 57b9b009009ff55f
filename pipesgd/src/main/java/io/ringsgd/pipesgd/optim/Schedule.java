package io.ringsgd.pipesgd.optim;

import java.util.Locale;

/** Shape of the learning rate after the warm-up (the CLI's {@code --schedule}). */
public enum Schedule {
    /** The base rate throughout. */
    CONSTANT,
    /** The base rate times a factor every k epochs. */
    STEP,
    /** Half a cosine from the base rate down to zero at the last iteration. */
    COSINE;

    /** The lower-case CLI name. */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "constant", "step" or "cosine". */
    public static Schedule parse(String s) {
        for (Schedule v : values()) {
            if (v.cliName().equals(s.trim().toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown schedule '" + s + "': use constant, step or cosine");
    }
}

package io.ringsgd.pipesgd.ps;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.TrainerSpec;

/**
 * The plan's view of a trainer with exactly one configuration (no width, local steps, compression or algorithm to
 * choose), such as the parameter server and the asynchronous trainer: its one spec and the checks of its cost model.
 */
public final class SingleSpec {
    private SingleSpec() {
    }

    /**
     * The one spec of {@code trainer}.
     *
     * @param trainer the trainer's name
     * @return the spec with no settings
     */
    public static TrainerSpec of(String trainer) {
        return new TrainerSpec(trainer, 0, 0, Compression.NONE, Algorithm.AUTO);
    }

    /**
     * The spec of {@code trainer} if nothing was asked for, as {@code TrainerCostModel.spec} takes them.
     *
     * @param trainer     the trainer's name
     * @param what        how people call it, e.g. "the parameter server"
     * @param setting     must be null
     * @param compression must be none
     * @param algorithm   must be auto
     * @return the spec
     * @throws IllegalArgumentException (one line) if something was asked for
     */
    public static TrainerSpec of(String trainer, String what, Integer setting, Compression compression,
            Algorithm algorithm) {
        if (setting != null || compression != Compression.NONE || algorithm != Algorithm.AUTO) {
            throw new IllegalArgumentException(what + " has no setting, compression or algorithm: name it "
                    + trainer);
        }
        return of(trainer);
    }

    /**
     * Rejects a spec with settings, as {@code TrainerCostModel.check} does.
     *
     * @param what how people call the trainer
     * @param spec the spec
     * @throws IllegalArgumentException (one line) if it has a setting
     */
    public static void check(String what, TrainerSpec spec) {
        if (spec.width() != 0 || spec.localSteps() != 0 || spec.compression() != Compression.NONE
                || spec.algorithm() != Algorithm.AUTO) {
            throw new IllegalArgumentException(what + " has no width, local steps, compression or algorithm");
        }
    }
}

package io.ringsgd.benchmarks.experiment;

import io.ringsgd.cocod.plan.TrainerSpec;
import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import java.util.Locale;

/**
 * One trainer configuration of the experiment, named as on the command line: {@code sync}, {@code pipeK},
 * {@code cocodT}, each optionally followed by {@code -fp16} or {@code -int8} (e.g. {@code pipe2-int8}).
 */
record ExperimentArm(String name, String trainer, int width, int localSteps, Compression compression) {

    static ExperimentArm parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        Compression c = Compression.NONE;
        String base = n;
        int dash = n.lastIndexOf('-');
        if (dash > 0) {
            c = Compression.parse(n.substring(dash + 1));
            base = n.substring(0, dash);
        }
        try {
            if (base.equals("sync")) {
                return new ExperimentArm(n, "sync", 1, 1, c);
            }
            if (base.startsWith("pipe")) {
                return new ExperimentArm(n, "pipe", Integer.parseInt(base.substring(4)), 1, c);
            }
            if (base.startsWith("cocod")) {
                return new ExperimentArm(n, "cocod", 1, Integer.parseInt(base.substring(5)), c);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("unknown trainer '" + s + "' in --trainers: use sync, pipeK or cocodT,"
                + " optionally with -fp16 or -int8 (e.g. sync,pipe2,pipe2-int8,cocod4)");
    }

    /** The timing model's description of this arm. */
    TrainerSpec spec() {
        switch (trainer) {
            case "sync":
                return TrainerSpec.sync(Algorithm.AUTO, compression);
            case "pipe":
                return TrainerSpec.pipe(width, Algorithm.AUTO, compression);
            default:
                return TrainerSpec.cocod(localSteps, Algorithm.AUTO, compression);
        }
    }
}

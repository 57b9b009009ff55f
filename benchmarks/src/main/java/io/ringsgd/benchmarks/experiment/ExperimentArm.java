package io.ringsgd.benchmarks.experiment;

import io.ringsgd.collectives.Algorithm;
import io.ringsgd.collectives.Compression;
import io.ringsgd.plan.TrainerCostModel;
import io.ringsgd.plan.TrainerCostModels;
import io.ringsgd.plan.TrainerSpec;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One trainer configuration of the experiment, named as on the command line: a trainer's name, optionally followed by
 * its own setting (Pipe-SGD's width, CoCoD-SGD's local steps) and by {@code -fp16} or {@code -int8} (e.g.
 * {@code sync}, {@code pipe2-int8}, {@code cocod4}). The trainer's {@link TrainerCostModel} interprets the setting,
 * so a new trainer needs no change here.
 */
record ExperimentArm(String name, TrainerCostModel model, TrainerSpec spec) {
    private static final Pattern FORM = Pattern.compile("([a-z][a-z-]*?)(\\d*)");

    static ExperimentArm parse(String s) {
        String n = s.trim().toLowerCase(Locale.ROOT);
        Compression c = Compression.NONE;
        String base = n;
        int dash = n.lastIndexOf('-');
        if (dash > 0) {
            c = Compression.parse(n.substring(dash + 1));
            base = n.substring(0, dash);
        }
        Matcher m = FORM.matcher(base);
        if (m.matches()) {
            TrainerCostModel model = known(m.group(1));
            if (model != null) {
                Integer setting = m.group(2).isEmpty() ? null : Integer.valueOf(m.group(2));
                return new ExperimentArm(n, model, model.spec(setting, c, Algorithm.AUTO));
            }
        }
        throw new IllegalArgumentException("unknown trainer '" + s + "' in --trainers: use sync, pipeK, cocodT or ps,"
                + " optionally with -fp16 or -int8 (e.g. sync,pipe2,pipe2-int8,cocod4,ps)");
    }

    private static TrainerCostModel known(String trainer) {
        try {
            return TrainerCostModels.of(trainer);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The trainer's name ({@code --trainer}). */
    String trainer() {
        return spec.trainer();
    }

    /** Pipeline width in the results table (1 for trainers without one). */
    int width() {
        return Math.max(1, spec.width());
    }

    /** Local steps in the results table (1 for trainers without them). */
    int localSteps() {
        return Math.max(1, spec.localSteps());
    }

    Compression compression() {
        return spec.compression();
    }

    /** True for the arm every speedup is measured against: the baseline trainer, uncompressed. */
    boolean baseline() {
        return model.baseline() && spec.compression() == Compression.NONE;
    }
}

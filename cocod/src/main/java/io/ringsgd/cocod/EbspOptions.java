package io.ringsgd.cocod;

import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainerOption;

/**
 * The options of the Elastic BSP trainer ({@code --trainer ebsp}), declared by {@link ElasticBspTrainerProvider}:
 * <ul>
 *   <li>{@code ebsp.lookahead} = R (default {@value #DEFAULT_LOOKAHEAD}): how many next iteration end times ZipLine
 *       predicts per worker.</li>
 *   <li>{@code ebsp.min-steps} = m (default {@value #DEFAULT_MIN_STEPS}): the fewest local steps a worker takes in a
 *       round (the first predicted point is the m-th iteration), so that the overlapped model average has at least m
 *       steps to hide behind; the first two rounds, before any speed is known, take m steps on every worker.</li>
 *   <li>{@code ebsp.step-times} = t_0,t_1,… (default: measured): a deterministic test mode. Each rank's time per step
 *       is taken from this list instead of its clock, so the barriers, and with them the whole run, depend on nothing
 *       but the configuration (as needed to resume bit for bit, or to reproduce a run).</li>
 * </ul>
 */
public final class EbspOptions {
    /** R when not given. */
    public static final int DEFAULT_LOOKAHEAD = 8;
    /** m when not given. */
    public static final int DEFAULT_MIN_STEPS = 2;
    /** ZipLine's look-ahead R. */
    public static final TrainerOption<Integer> LOOKAHEAD = TrainerOption.integer("ebsp.lookahead",
            DEFAULT_LOOKAHEAD, 1, 1 << 16, "Elastic BSP: predicted iteration end times per worker (R)");
    /** The fewest local steps per round. */
    public static final TrainerOption<Integer> MIN_STEPS = TrainerOption.integer("ebsp.min-steps",
            DEFAULT_MIN_STEPS, 1, 1 << 16, "Elastic BSP: fewest local steps of a worker per round");
    /** Fixed step times (test mode). */
    public static final TrainerOption<String> STEP_TIMES = TrainerOption.text("ebsp.step-times", "list of numbers",
            "measured", "deterministic mode: each rank's time per step, e.g. 1,1,1,2, instead of its clock");

    private final int lookahead;
    private final int minSteps;
    private final double[] stepTimes;

    private EbspOptions(int lookahead, int minSteps, double[] stepTimes) {
        this.lookahead = lookahead;
        this.minSteps = minSteps;
        this.stepTimes = stepTimes;
    }

    /**
     * Reads and checks the options of {@code cfg}.
     *
     * @param cfg a configuration of the ebsp trainer
     * @return the options
     * @throws IllegalArgumentException (one line) for a bad value
     */
    public static EbspOptions of(TrainConfig cfg) {
        String list = cfg.option(STEP_TIMES);
        double[] times = null;
        if (list != null) {
            String[] parts = list.split(",");
            if (parts.length != cfg.workers()) {
                throw new IllegalArgumentException(STEP_TIMES.name() + " '" + list + "' lists " + parts.length
                        + " step times for " + cfg.workers() + " workers: give one per worker, e.g. 1,1,1,2");
            }
            times = new double[parts.length];
            for (int i = 0; i < parts.length; i++) {
                try {
                    times[i] = Double.parseDouble(parts[i].trim());
                } catch (NumberFormatException e) {
                    times[i] = Double.NaN;
                }
                if (!(times[i] > 0) || Double.isInfinite(times[i])) {
                    throw new IllegalArgumentException(STEP_TIMES.name() + " '" + list + "': entry " + i + " ('"
                            + parts[i].trim() + "') is not a positive number: give one positive time per worker");
                }
            }
        }
        return new EbspOptions(cfg.option(LOOKAHEAD), cfg.option(MIN_STEPS), times);
    }

    /** ZipLine's look-ahead R. */
    public int lookahead() {
        return lookahead;
    }

    /** The fewest local steps per round. */
    public int minSteps() {
        return minSteps;
    }

    /**
     * The fixed time per step of {@code rank} in the deterministic mode.
     *
     * @param rank a rank
     * @return its time, or NaN when times are measured
     */
    public double fixedStepTime(int rank) {
        return stepTimes == null ? Double.NaN : stepTimes[rank];
    }
}

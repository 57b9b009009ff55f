package io.ringsgd.pipesgd.async;

import io.ringsgd.pipesgd.train.TrainConfig;
import io.ringsgd.pipesgd.train.TrainerOption;

/**
 * The options of the asynchronous trainer ({@code --trainer async}), declared by {@link AsyncSgdTrainerProvider}:
 * <ul>
 *   <li>{@code lr-schedule} = constant|poly|quasilinear (default constant), with {@code lr-power} q (default 0.5) and
 *       {@code lr-scale} s (default 1000 updates): the step size of the n-th update, see {@link StepSizes}; α₀ is
 *       {@code --lr}.</li>
 *   <li>{@code async.deterministic} = true|false (default false): a test mode in which the master takes the workers'
 *       gradients in a fixed round-robin order (worker 1, 2, …, P−1, 1, …) instead of as they arrive, so that a run
 *       depends on nothing but its configuration: two runs, or a resumed and an uninterrupted one, end with the same
 *       bits.</li>
 *   <li>{@code async.injected-delay} = C (default 0): the master hands a worker the model of update
 *       n − ⌊C·√n⌋ instead of the current one, so delays grow like √n on top of the natural ones; for convergence
 *       experiments (the master keeps the last C·√N models, N the run's updates; checkpoints hold them).</li>
 * </ul>
 */
public final class AsyncOptions {
    /** The step-size schedule. */
    public static final TrainerOption<String> LR_SCHEDULE = TrainerOption.text("lr-schedule",
            "constant|poly|quasilinear", "constant", "async: step size of the n-th update: constant (--lr), poly"
                    + " (--lr / (1 + n/s)^q) or quasilinear (DASGD's ~1/(n log n log log n))");
    /** q of the poly schedule. */
    public static final TrainerOption<String> LR_POWER = TrainerOption.text("lr-power", "number", "0.5",
            "async: exponent q of the poly schedule");
    /** s of the poly and quasilinear schedules. */
    public static final TrainerOption<Long> LR_SCALE = TrainerOption.count("lr-scale", 1000, 1,
            "async: updates per unit of the poly and quasilinear schedules");
    /** Fixed arrival order (test mode). */
    public static final TrainerOption<Boolean> DETERMINISTIC = TrainerOption.flag("async.deterministic", false,
            "async: take gradients round-robin instead of as they arrive (reproducible; test mode)");
    /** Injected delays C·√n. */
    public static final TrainerOption<String> INJECTED_DELAY = TrainerOption.text("async.injected-delay", "number",
            "0", "async: hand workers the model of update n - floor(C*sqrt(n)) (delays growing like sqrt(n))");

    private final StepSizes steps;
    private final boolean deterministic;
    private final double injectedDelay;

    private AsyncOptions(StepSizes steps, boolean deterministic, double injectedDelay) {
        this.steps = steps;
        this.deterministic = deterministic;
        this.injectedDelay = injectedDelay;
    }

    /**
     * Reads and checks the options of {@code cfg}.
     *
     * @param cfg a configuration of the async trainer
     * @return the options
     * @throws IllegalArgumentException (one line) for a bad value
     */
    public static AsyncOptions of(TrainConfig cfg) {
        String kind = cfg.option(LR_SCHEDULE);
        StepSizes.Kind k = kind == null ? StepSizes.Kind.CONSTANT : StepSizes.Kind.parse(kind);
        double power = number(cfg.option(LR_POWER), LR_POWER.name(), 0.5);
        double delay = number(cfg.option(INJECTED_DELAY), INJECTED_DELAY.name(), 0);
        if (!(power > 0)) {
            throw new IllegalArgumentException("--lr-power must be > 0, got " + power + ": pass --lr-power 0.5");
        }
        if (!(delay >= 0)) {
            throw new IllegalArgumentException("--option async.injected-delay must be >= 0, got " + delay);
        }
        return new AsyncOptions(new StepSizes(k, cfg.optimizer().lr(), power, cfg.option(LR_SCALE)),
                cfg.option(DETERMINISTIC), delay);
    }

    private static double number(String raw, String name, double fallback) {
        if (raw == null) {
            return fallback;
        }
        try {
            double v = Double.parseDouble(raw);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + " '" + raw + "' is not a number: pass e.g. " + name + "="
                + fallback);
    }

    /** The step sizes. */
    public StepSizes steps() {
        return steps;
    }

    /** True in the round-robin test mode. */
    public boolean deterministic() {
        return deterministic;
    }

    /** C of the injected delays ⌊C·√n⌋ (0: none). */
    public double injectedDelay() {
        return injectedDelay;
    }
}

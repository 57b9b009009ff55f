package io.ringsgd.pipesgd.train;

import java.util.List;

/**
 * Makes a trainer known by name, with everything it owns: its options (name, type, default, description), its
 * defaults for the shared settings, and (through {@link Trainer#validate}) its checks. Adding a trainer touches no
 * other trainer and no shared configuration: {@link TrainConfig} resolves defaults and checks options through the
 * provider, and the command line builds its {@code --help} and flags from {@link #options()}. Modules register theirs
 * through {@link java.util.ServiceLoader} (a line with the implementation's class name in
 * {@code META-INF/services/io.ringsgd.pipesgd.train.TrainerProvider}) or at run time with {@link Trainers#register}.
 */
public interface TrainerProvider {

    /**
     * The name users pass as {@code --trainer} or to {@link Trainers#create(String)}; matched without regard to case.
     *
     * @return the name, e.g. {@code "pipe"}
     */
    String name();

    /**
     * One line for help texts.
     *
     * @return what the trainer does, e.g. "Pipe-SGD: the gradient AllReduce overlaps the next K-1 iterations"
     */
    String description();

    /**
     * A trainer instance. Called by {@link Trainers#create(String)} and by {@link TrainConfig.Builder#build()} (to
     * validate), possibly from several threads at once: keep it cheap and free of side effects.
     *
     * @return a trainer whose {@link Trainer#name()} is {@link #name()}
     */
    Trainer create();

    /**
     * The options this trainer reads besides the shared ones, with their defaults. A configuration that sets an
     * option its trainer does not declare is rejected.
     *
     * @return the declared options; the default is none
     */
    default List<TrainerOption<?>> options() {
        return List.of();
    }

    /**
     * This trainer's defaults for the shared settings, used where the configuration gives none.
     *
     * @return the learning rate and momentum; the default is {@link TrainerDefaults#STANDARD}
     */
    default TrainerDefaults defaults() {
        return TrainerDefaults.STANDARD;
    }
}

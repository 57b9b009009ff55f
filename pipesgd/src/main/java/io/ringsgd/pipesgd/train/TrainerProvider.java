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

    /** The name users pass as {@code --trainer}. */
    String name();

    /** One line for help texts. */
    String description();

    /** A trainer instance. */
    Trainer create();

    /**
     * The options this trainer reads besides the shared ones, with their defaults. A configuration that sets an
     * option its trainer does not declare is rejected.
     */
    default List<TrainerOption<?>> options() {
        return List.of();
    }

    /** This trainer's defaults for the shared settings (learning rate, momentum). */
    default TrainerDefaults defaults() {
        return TrainerDefaults.STANDARD;
    }
}

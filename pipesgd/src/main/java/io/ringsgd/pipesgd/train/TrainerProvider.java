package io.ringsgd.pipesgd.train;

/**
 * Makes a trainer known by name. Modules register theirs through {@link java.util.ServiceLoader} (a line with the
 * implementation's class name in {@code META-INF/services/io.ringsgd.pipesgd.train.TrainerProvider}) or at run time
 * with {@link Trainers#register}.
 */
public interface TrainerProvider {

    /** The name users pass as {@code --trainer}. */
    String name();

    /** One line for help texts. */
    String description();

    /** A trainer instance. */
    Trainer create();
}

package io.ringsgd.launch;

/**
 * A sub-command contributed by a module above this one (the benchmarks module's {@code experiment}), found with
 * {@link java.util.ServiceLoader} when that module's jar is on the class path, as {@code launch/bin/ringsgd} arranges.
 */
public interface SubcommandProvider {

    /** The sub-command's name. */
    String name();

    /** A new picocli command object (annotated with {@code @Command}). */
    Object command();
}

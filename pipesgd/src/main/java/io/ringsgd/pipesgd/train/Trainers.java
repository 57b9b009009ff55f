package io.ringsgd.pipesgd.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The registry of trainers by name: the providers found by {@link ServiceLoader} on the class path ({@code pipe} and
 * {@code sync} from this module, {@code cocod} from ringsgd-cocod) plus any registered at run time. Names are matched
 * without regard to case. The class path is searched once, on first use, through the thread's context class loader
 * and this class's loader. Thread-safe: every method may be called from any thread.
 */
public final class Trainers {
    private static final Map<String, TrainerProvider> PROVIDERS = new TreeMap<>();
    private static boolean loaded;

    private Trainers() {
    }

    /**
     * Registers {@code provider} under its name, replacing a provider of the same name (a class-path one included).
     *
     * @param provider the provider to register
     */
    public static synchronized void register(TrainerProvider provider) {
        ensureLoaded();
        PROVIDERS.put(provider.name().toLowerCase(Locale.ROOT), provider);
    }

    /**
     * A trainer by name: {@code provider(name).create()}.
     *
     * @param name the trainer's name, e.g. {@code "pipe"}, {@code "sync"} or {@code "cocod"}
     * @return a new trainer instance
     * @throws IllegalArgumentException (one line, listing the known names) if no trainer has that name
     */
    public static synchronized Trainer create(String name) {
        return provider(name).create();
    }

    /**
     * The provider of {@code name}: its options and defaults.
     *
     * @param name the trainer's name
     * @return its provider
     * @throws IllegalArgumentException (one line, listing the known names) if there is none
     */
    public static synchronized TrainerProvider provider(String name) {
        ensureLoaded();
        TrainerProvider p = name == null ? null : PROVIDERS.get(name.trim().toLowerCase(Locale.ROOT));
        if (p == null) {
            throw new IllegalArgumentException("unknown trainer '" + name + "': use one of " + String.join(", ",
                    PROVIDERS.keySet()) + " (a trainer of another module needs its jar on the class path)");
        }
        return p;
    }

    /**
     * Whether a trainer of that name is registered.
     *
     * @param name a trainer name, or null
     * @return true if {@link #create(String)} would succeed
     */
    public static synchronized boolean isKnown(String name) {
        ensureLoaded();
        return name != null && PROVIDERS.containsKey(name.trim().toLowerCase(Locale.ROOT));
    }

    /**
     * The registered names.
     *
     * @return a new list, sorted
     */
    public static synchronized List<String> names() {
        ensureLoaded();
        return new ArrayList<>(PROVIDERS.keySet());
    }

    /**
     * The registered providers (for help texts).
     *
     * @return a new list, sorted by name
     */
    public static synchronized List<TrainerProvider> providers() {
        ensureLoaded();
        return new ArrayList<>(PROVIDERS.values());
    }

    private static void ensureLoaded() {
        if (loaded) {
            return;
        }
        loaded = true;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl == null) {
            cl = Trainers.class.getClassLoader();
        }
        load(ServiceLoader.load(TrainerProvider.class, cl));
        if (cl != Trainers.class.getClassLoader()) {
            load(ServiceLoader.load(TrainerProvider.class, Trainers.class.getClassLoader()));
        }
    }

    private static void load(ServiceLoader<TrainerProvider> loader) {
        for (TrainerProvider p : loader) {
            PROVIDERS.putIfAbsent(p.name().toLowerCase(Locale.ROOT), p);
        }
    }
}

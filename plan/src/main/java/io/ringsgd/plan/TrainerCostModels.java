package io.ringsgd.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * The registry of {@link TrainerCostModel}s by trainer name: those found by {@link ServiceLoader} on the class path
 * (every trainer module registers its own, this module the parameter-server reference) plus any registered at run time.
 */
public final class TrainerCostModels {
    private static final Map<String, TrainerCostModel> MODELS = new TreeMap<>();
    private static boolean loaded;

    private TrainerCostModels() {
    }

    /** Registers (or replaces) the model of {@code model.trainer()}. */
    public static synchronized void register(TrainerCostModel model) {
        ensureLoaded();
        MODELS.put(key(model.trainer()), model);
    }

    /**
     * The model of {@code trainer}.
     *
     * @throws IllegalArgumentException (one line, listing the known trainers) if none is registered
     */
    public static synchronized TrainerCostModel of(String trainer) {
        ensureLoaded();
        TrainerCostModel m = trainer == null ? null : MODELS.get(key(trainer));
        if (m == null) {
            throw new IllegalArgumentException("no iteration-time model for trainer '" + trainer + "': known are "
                    + String.join(", ", MODELS.keySet()) + " (a trainer's module registers its own)");
        }
        return m;
    }

    /** Every registered model, sorted by trainer name. */
    public static synchronized List<TrainerCostModel> all() {
        ensureLoaded();
        return new ArrayList<>(MODELS.values());
    }

    /** The baseline every speedup is measured against (synchronous SGD). */
    public static synchronized TrainerCostModel baseline() {
        ensureLoaded();
        for (TrainerCostModel m : MODELS.values()) {
            if (m.baseline()) {
                return m;
            }
        }
        throw new IllegalStateException("no baseline trainer model registered: ringsgd-pipesgd (sync) is not on the"
                + " class path");
    }

    private static String key(String trainer) {
        return trainer.trim().toLowerCase(Locale.ROOT);
    }

    private static void ensureLoaded() {
        if (loaded) {
            return;
        }
        loaded = true;
        ClassLoader cl = Thread.currentThread().getContextClassLoader();
        if (cl != null) {
            load(ServiceLoader.load(TrainerCostModel.class, cl));
        }
        load(ServiceLoader.load(TrainerCostModel.class, TrainerCostModels.class.getClassLoader()));
    }

    private static void load(ServiceLoader<TrainerCostModel> loader) {
        for (TrainerCostModel m : loader) {
            MODELS.putIfAbsent(key(m.trainer()), m);
        }
    }
}

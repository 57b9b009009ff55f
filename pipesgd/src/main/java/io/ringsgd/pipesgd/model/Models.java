package io.ringsgd.pipesgd.model;

import java.util.List;
import java.util.Locale;

/** The built-in models by name, as the CLI's {@code --model} value: {@code mlp} and {@code softmax}. */
public final class Models {
    /** Names accepted by {@link #factory}. */
    public static final List<String> NAMES = List.of("mlp", "softmax");

    private Models() {
    }

    /** An MLP with {@code hidden} layer sizes. */
    public static ModelFactory mlp(int... hidden) {
        int[] h = hidden.clone();
        return (in, classes) -> new Mlp(in, h, classes);
    }

    /** Softmax regression. */
    public static ModelFactory softmax() {
        return SoftmaxRegression::new;
    }

    /** The built-in model called {@code name}; {@code hidden} is used by the MLP only. */
    public static ModelFactory factory(String name, int[] hidden) {
        String n = normalize(name);
        switch (n) {
            case "mlp":
                return mlp(hidden);
            case "softmax":
                return softmax();
            default:
                throw new IllegalArgumentException("unknown model '" + name + "': use mlp or softmax, or plug in a "
                        + "ModelFactory");
        }
    }

    /** The canonical name of a model name or alias ("logreg", "softmax-regression" are softmax). */
    public static String normalize(String name) {
        if (name == null) {
            throw new IllegalArgumentException("model is null: use mlp or softmax");
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("softmax-regression") || n.equals("logreg") || n.equals("logistic")) {
            return "softmax";
        }
        return n;
    }
}

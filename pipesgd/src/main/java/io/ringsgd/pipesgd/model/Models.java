package io.ringsgd.pipesgd.model;

import java.util.List;
import java.util.Locale;

/** The built-in models by name, as the CLI's {@code --model} value: {@code mlp} and {@code softmax}. */
public final class Models {
    /** Names accepted by {@link #factory}. */
    public static final List<String> NAMES = List.of("mlp", "softmax");

    private Models() {
    }

    /**
     * A multi-layer perceptron ({@link Mlp}).
     *
     * @param hidden the hidden layer sizes, at least one (copied)
     * @return its factory
     */
    public static ModelFactory mlp(int... hidden) {
        int[] h = hidden.clone();
        return (in, classes) -> new Mlp(in, h, classes);
    }

    /**
     * Softmax regression ({@link SoftmaxRegression}).
     *
     * @return its factory
     */
    public static ModelFactory softmax() {
        return SoftmaxRegression::new;
    }

    /**
     * The built-in model called {@code name}.
     *
     * @param name   "mlp" or "softmax" (or an alias, see {@link #normalize})
     * @param hidden the MLP's hidden layer sizes; ignored by softmax
     * @return its factory
     * @throws IllegalArgumentException (one line) for another name
     */
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

    /**
     * The canonical name of a model name or alias ("logreg", "logistic", "softmax-regression" are softmax).
     *
     * @param name a model name, any case
     * @return the canonical name, lower case (unknown names are returned lower-cased, not refused)
     * @throws IllegalArgumentException if {@code name} is null
     */
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

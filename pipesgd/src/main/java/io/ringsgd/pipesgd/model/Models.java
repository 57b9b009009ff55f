package io.ringsgd.pipesgd.model;

import java.util.List;
import java.util.Locale;

/**
 * The built-in models by name, as the CLI's {@code --model} value: {@code mlp}, {@code softmax}, {@code cnn},
 * {@code cnn-large}, and {@code cnn:SPEC} for a convolutional network of your own layers ({@link CnnSpec}).
 */
public final class Models {
    /** Names accepted by {@link #factory} (besides {@code cnn:SPEC}). */
    public static final List<String> NAMES = List.of("mlp", "softmax", "cnn", "cnn-large");
    /** The prefix of a convolutional network given by its layers, e.g. {@code cnn:c8k5p2-pool2-d64}. */
    public static final String CNN_SPEC_PREFIX = "cnn:";
    private static final String CHOICES = "use mlp, softmax, cnn, cnn-large or cnn:SPEC (e.g. cnn:" + CnnSpec.CNN
            + ")";

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
     * A convolutional network ({@link ConvNet}).
     *
     * @param name what its description starts with ("cnn", "cnn-large")
     * @param spec its hidden layers
     * @return its factory
     */
    public static ModelFactory cnn(String name, CnnSpec spec) {
        return (in, classes) -> new ConvNet(name, spec, in, classes);
    }

    /**
     * True if {@code name} (as {@link #normalize} returns it) names a built-in model: one of {@link #NAMES}, or
     * {@code cnn:SPEC} with a valid specification.
     *
     * @param name a normalized name
     * @return whether {@link #factory} accepts it
     */
    public static boolean isBuiltIn(String name) {
        if (name == null) {
            return false;
        }
        if (name.startsWith(CNN_SPEC_PREFIX)) {
            CnnSpec.parse(name.substring(CNN_SPEC_PREFIX.length()));
            return true;
        }
        return NAMES.contains(name);
    }

    /**
     * The built-in model called {@code name}.
     *
     * @param name   "mlp", "softmax", "cnn", "cnn-large" or "cnn:SPEC" (or an alias, see {@link #normalize})
     * @param hidden the MLP's hidden layer sizes; ignored by the others
     * @return its factory
     * @throws IllegalArgumentException (one line) for another name or a malformed specification
     */
    public static ModelFactory factory(String name, int[] hidden) {
        String n = normalize(name);
        if (n.startsWith(CNN_SPEC_PREFIX)) {
            return cnn("cnn", CnnSpec.parse(n.substring(CNN_SPEC_PREFIX.length())));
        }
        switch (n) {
            case "mlp":
                return mlp(hidden);
            case "softmax":
                return softmax();
            case "cnn":
                return cnn("cnn", CnnSpec.parse(CnnSpec.CNN));
            case "cnn-large":
                return cnn("cnn-large", CnnSpec.parse(CnnSpec.CNN_LARGE));
            default:
                throw new IllegalArgumentException("unknown model '" + name + "': " + CHOICES
                        + ", or plug in a ModelFactory");
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
            throw new IllegalArgumentException("model is null: " + CHOICES);
        }
        String n = name.trim().toLowerCase(Locale.ROOT);
        if (n.equals("softmax-regression") || n.equals("logreg") || n.equals("logistic")) {
            return "softmax";
        }
        return n;
    }
}

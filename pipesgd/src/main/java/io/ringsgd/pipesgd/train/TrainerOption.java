package io.ringsgd.pipesgd.train;

import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * One setting a trainer owns (Pipe-SGD's width, CoCoD-SGD's local steps), declared by its {@link TrainerProvider}
 * with a name, a type, a default and a description. Values travel as text in {@link TrainConfig#options()}, so every
 * launcher passes them alike: on the command line as {@code --name value} (names without a dot) or
 * {@code --option name=value} (all names); {@link TrainConfig#option(TrainerOption)} reads the typed value. Immutable.
 *
 * @param <T> the value's type
 */
public final class TrainerOption<T> {
    private final String name;
    private final String type;
    private final T defaultValue;
    private final String defaultText;
    private final String description;
    private final Function<String, T> parser;

    private TrainerOption(String name, String type, T defaultValue, String defaultText, String description,
            Function<String, T> parser) {
        if (name == null || name.isBlank() || !name.equals(name.trim().toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("an option name is lower case without spaces, got '" + name + "'");
        }
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.defaultText = defaultText;
        this.description = Objects.requireNonNull(description, "description");
        this.parser = parser;
    }

    /** An integer in [{@code min}, {@code max}] with a default. */
    public static TrainerOption<Integer> integer(String name, int defaultValue, int min, int max,
            String description) {
        return new TrainerOption<>(name, "integer", defaultValue, Integer.toString(defaultValue), description,
                raw -> {
                    long v = parseLong(name, raw, "an integer");
                    if (v < min || v > max) {
                        throw new IllegalArgumentException(name + " must be " + range(min, max) + ", got " + v
                                + ": pass " + flag(name, Integer.toString(defaultValue)) + " for example");
                    }
                    return (int) v;
                });
    }

    /** A long integer of at least {@code min} with a default. */
    public static TrainerOption<Long> count(String name, long defaultValue, long min, String description) {
        return new TrainerOption<>(name, "integer", defaultValue, Long.toString(defaultValue), description, raw -> {
            long v = parseLong(name, raw, "an integer");
            if (v < min) {
                throw new IllegalArgumentException(name + " must be >= " + min + ", got " + v);
            }
            return v;
        });
    }

    /**
     * A real number strictly above {@code above} and at most {@code max} (NaN never passes), with a default.
     */
    public static TrainerOption<Double> real(String name, double defaultValue, double above, double max,
            String description) {
        return new TrainerOption<>(name, "number", defaultValue, Double.toString(defaultValue), description, raw -> {
            double v;
            try {
                v = Double.parseDouble(raw.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + " must be a number, got '" + raw.trim() + "'");
            }
            if (!(v > above && v <= max)) {
                throw new IllegalArgumentException(name + " must be above " + above + " and at most " + max
                        + ", got " + raw.trim() + ": pass " + flag(name, Double.toString(defaultValue))
                        + " for example");
            }
            return v;
        });
    }

    /** true or false. */
    public static TrainerOption<Boolean> flag(String name, boolean defaultValue, String description) {
        return new TrainerOption<>(name, "true|false", defaultValue, Boolean.toString(defaultValue), description,
                raw -> {
                    String v = raw.trim();
                    if (!v.equalsIgnoreCase("true") && !v.equalsIgnoreCase("false")) {
                        throw new IllegalArgumentException(name + " must be true or false, got '" + v + "'");
                    }
                    return Boolean.parseBoolean(v);
                });
    }

    /**
     * Free text that the trainer parses and checks itself ({@link Trainer#validate}); without a value the option is
     * absent (null) and {@code defaultText} says what that means.
     */
    public static TrainerOption<String> text(String name, String type, String defaultText, String description) {
        return new TrainerOption<>(name, type, null, defaultText, description, String::trim);
    }

    /** The name: the key in {@link TrainConfig#options()}, and the command line's {@code --name}. */
    public String name() {
        return name;
    }

    /** The type as help texts show it: "integer", "true|false", "list". */
    public String type() {
        return type;
    }

    /** The value without a setting (null for a text option). */
    public T defaultValue() {
        return defaultValue;
    }

    /** The default as help texts show it. */
    public String defaultText() {
        return defaultText;
    }

    /** One line for help texts. */
    public String description() {
        return description;
    }

    /** True if the command line takes it as {@code --name} (a name without a dot); every option takes --option. */
    public boolean commandLineFlag() {
        return name.indexOf('.') < 0;
    }

    /**
     * The typed value of {@code raw}.
     *
     * @throws IllegalArgumentException (one line, naming the option) if it is not a valid value
     */
    public T parse(String raw) {
        if (raw == null) {
            throw new IllegalArgumentException(name + " has no value: pass " + flag(name, defaultText));
        }
        return parser.apply(raw);
    }

    /** The value as text, in the form {@link #parse} reads. */
    public String format(T value) {
        return String.valueOf(value);
    }

    @Override
    public String toString() {
        return name + " (" + type + ", default " + defaultText + ")";
    }

    private static long parseLong(String name, String raw, String what) {
        try {
            return Long.parseLong(raw.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be " + what + ", got '" + raw.trim() + "'");
        }
    }

    private static String range(int min, int max) {
        return max == Integer.MAX_VALUE ? "at least " + min : "between " + min + " and " + max;
    }

    /** How the user sets {@code name} to {@code value}: {@code --name value}, or {@code --option name=value}. */
    static String flag(String name, String value) {
        return name.indexOf('.') < 0 ? "--" + name + " " + value : "--option " + name + "=" + value;
    }
}

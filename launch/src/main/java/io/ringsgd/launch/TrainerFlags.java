package io.ringsgd.launch;

import io.ringsgd.pipesgd.train.TrainerDefaults;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import io.ringsgd.pipesgd.train.Trainers;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Builds {@code train}'s trainer flags and help from the trainer providers on the class path, so that a trainer's
 * options ({@code --width}, {@code --local-steps}, ...) and its real defaults appear without this module naming it: one
 * flag per option name without a dot (shared by the trainers that declare it), and a "Trainers" section after the
 * options listing each trainer, its defaults and all its options. A picocli model transformer.
 */
public final class TrainerFlags implements CommandLine.IModelTransformer {
    /** Columns of the help text (picocli's default usage width). */
    private static final int WIDTH = 80;

    @Override
    public CommandSpec transform(CommandSpec spec) {
        Map<String, List<String>> perName = new LinkedHashMap<>();
        Map<String, TrainerOption<?>> first = new LinkedHashMap<>();
        for (TrainerProvider p : Trainers.providers()) {
            for (TrainerOption<?> o : p.options()) {
                if (o.commandLineFlag()) {
                    first.putIfAbsent(o.name(), o);
                    perName.computeIfAbsent(o.name(), k -> new ArrayList<>()).add(p.name() + ": " + o.defaultText());
                }
            }
        }
        for (Map.Entry<String, TrainerOption<?>> e : first.entrySet()) {
            TrainerOption<?> o = e.getValue();
            spec.addOption(OptionSpec.builder(flag(o.name())).type(String.class)
                    .paramLabel(o.type().toUpperCase(Locale.ROOT).replace(' ', '_'))
                    .description(capitalized(o.description()) + " (default " + String.join("; ",
                            perName.get(e.getKey())) + ").").build());
        }
        List<String> footer = new ArrayList<>(trainersSection());
        footer.addAll(Arrays.asList(spec.usageMessage().footer()));
        spec.usageMessage().footer(footer.toArray(new String[0]));
        return spec;
    }

    /** The values given on the command line for the flags {@link #transform} added, by option name. */
    static Map<String, String> given(CommandSpec spec) {
        Map<String, String> out = new LinkedHashMap<>();
        for (TrainerProvider p : Trainers.providers()) {
            for (TrainerOption<?> o : p.options()) {
                OptionSpec s = o.commandLineFlag() ? spec.findOption(flag(o.name())) : null;
                if (s != null && s.getValue() != null) {
                    out.put(o.name(), s.getValue());
                }
            }
        }
        return out;
    }

    private static List<String> trainersSection() {
        List<String> lines = new ArrayList<>();
        lines.add("");
        lines.add("Trainers (--trainer NAME), with their defaults and options:");
        for (TrainerProvider p : Trainers.providers()) {
            TrainerDefaults d = p.defaults();
            wrap(lines, String.format(Locale.ROOT, "  %-6s %s", p.name(), p.description()), 9);
            lines.add(String.format(Locale.ROOT, "         defaults: --lr %s, --momentum %s", d.lr(), d.momentum()));
            for (TrainerOption<?> o : p.options()) {
                String how = o.commandLineFlag() ? flag(o.name()) : "--option " + o.name() + "=VALUE";
                wrap(lines, String.format(Locale.ROOT, "         %s (%s, default %s): %s", how, o.type(),
                        o.defaultText(), o.description()), 11);
            }
        }
        return lines;
    }

    /** Adds {@code text} as lines of at most {@value #WIDTH} characters, continuations indented by {@code indent}. */
    private static void wrap(List<String> lines, String text, int indent) {
        String rest = text;
        String pad = " ".repeat(indent);
        while (rest.length() > WIDTH) {
            int cut = rest.lastIndexOf(' ', WIDTH);
            if (cut <= indent) {
                break;
            }
            lines.add(rest.substring(0, cut));
            rest = pad + rest.substring(cut + 1);
        }
        lines.add(rest);
    }

    private static String flag(String name) {
        return "--" + name;
    }

    private static String capitalized(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }
}

package io.ringsgd.launch;

import io.ringsgd.pipesgd.train.TrainerDefaults;
import io.ringsgd.pipesgd.train.TrainerOption;
import io.ringsgd.pipesgd.train.TrainerProvider;
import io.ringsgd.pipesgd.train.Trainers;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;

/**
 * {@code train}'s trainer flags and their help, from the trainer providers on the class path, so that a trainer's
 * options ({@code --width}, {@code --local-steps}, ...) and its real defaults work and show without this module naming
 * it. As a picocli model transformer it only adds a "Trainers" help section, rendered when help is printed; the flags
 * themselves arrive as {@code train}'s unmatched arguments and {@link #parse} reads them. Nothing loads the providers
 * until {@code train} runs or its help is shown: every command builds this one, and under MPJ Express each class and
 * service lookup at start-up costs time.
 */
public final class TrainerFlags implements CommandLine.IModelTransformer {
    /** Columns of the help text (picocli's default usage width). */
    private static final int WIDTH = 80;
    private static final String SECTION = "trainers";

    @Override
    public CommandSpec transform(CommandSpec spec) {
        UsageMessageSpec usage = spec.usageMessage();
        List<String> keys = new ArrayList<>(usage.sectionKeys());
        int footer = keys.indexOf(UsageMessageSpec.SECTION_KEY_FOOTER_HEADING);
        keys.add(footer < 0 ? keys.size() : footer, SECTION);
        usage.sectionKeys(keys);
        usage.sectionMap().put(SECTION, help -> String.join(System.lineSeparator(), trainersSection())
                + System.lineSeparator());
        return spec;
    }

    /**
     * The trainer options among {@code args} (what picocli did not match): {@code --name value} or
     * {@code --name=value} for every option a trainer declares without a dot in its name.
     *
     * @throws IllegalArgumentException (one line) for anything else, as picocli says of an unknown option
     */
    static Map<String, String> parse(List<String> args) {
        Map<String, TrainerOption<?>> known = new LinkedHashMap<>();
        for (TrainerProvider p : Trainers.providers()) {
            for (TrainerOption<?> o : p.options()) {
                if (o.commandLineFlag()) {
                    known.putIfAbsent(o.name(), o);
                }
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String name = a.startsWith("--") ? a.substring(2) : null;
            String value = null;
            if (name != null && name.indexOf('=') > 0) {
                value = name.substring(name.indexOf('=') + 1);
                name = name.substring(0, name.indexOf('='));
            }
            TrainerOption<?> o = name == null ? null : known.get(name);
            if (o == null) {
                throw new IllegalArgumentException("Unknown option or argument: '" + a + "'; try 'ringsgd train"
                        + " --help' for the options (each trainer's are listed under Trainers)");
            }
            if (value == null) {
                if (i + 1 == args.size() || args.get(i + 1).startsWith("--")) {
                    throw new IllegalArgumentException("--" + name + " needs a value (" + o.type() + "): e.g. --"
                            + name + " " + o.defaultText());
                }
                value = args.get(++i);
            }
            out.put(name, value);
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
                String how = o.commandLineFlag() ? "--" + o.name() : "--option " + o.name() + "=VALUE";
                wrap(lines, String.format(Locale.ROOT, "         %s (%s, default %s): %s", how, o.type(),
                        o.defaultText(), o.description()), 11);
            }
        }
        lines.add("  Every option also works as --option NAME=VALUE.");
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
}

package neuroflux.pipeline.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import neuroflux.onnx.BadInputException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.OptionGroup;
import org.apache.commons.cli.Options;
import org.apache.commons.cli.ParseException;

/**
 * A command's arguments completed from configuration, so that every option of every command can be set in
 * application.properties or the environment without the command knowing: for each option the command declares
 * and the command line lacks, {@code neuroflux.<long-option-name>} is looked up and, when set, added as if typed.
 * The command line always wins. Flags (options without a value) take {@code true} or {@code false}.
 *
 * @param given the command line as typed, parsed without insisting on required options (so that
 *     {@code --help} can be answered before a missing option is reported)
 * @param arguments the arguments to parse: the command line's, with the configured options added
 * @param keys the configuration keys that supplied something, in the order added (empty when none did)
 */
public record ConfiguredArguments(CommandLine given, String[] arguments, List<String> keys) {
    /** The key that supplies the positional arguments (the model) when a command accepts them and has none. */
    public static final String MODEL_KEY = Configuration.PREFIX + "model";

    /** Options that are never taken from configuration: asking for help is a command-line act. */
    private static final Set<String> COMMAND_LINE_ONLY = Set.of("help");

    /**
     * Completes {@code args} for a command with these options.
     *
     * @param positionalKey the key whose value becomes the positional argument when the command line has none,
     *     or null when the command takes no positional arguments
     * @throws ParseException when the command line itself is malformed (an unknown option, a missing value)
     */
    public static ConfiguredArguments complete(Options options, String positionalKey, String[] args,
            Configuration config) throws ParseException {
        // What the command line already says, parsed the way the command will parse it (partial long names,
        // --name=value, short names), but without insisting on required options that configuration may supply.
        CommandLine given = new DefaultParser().parse(lenient(options), args);
        List<String> added = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        for (Option option : options.getOptions()) {
            String name = option.getLongOpt();
            if (name == null || COMMAND_LINE_ONLY.contains(name) || given.hasOption(name)) continue;
            if (anotherOfItsGroupIsGiven(options, option, given)) continue;
            String key = Configuration.PREFIX + name;
            Optional<String> value = config.value(key);
            if (value.isEmpty()) continue;
            keys.add(key);
            added.addAll(asArguments(option, key, value.get().trim()));
        }
        List<String> positional = List.of();
        // a command with an option of the key's own name (--model) takes it through that option instead
        boolean positionalIsAnOption = positionalKey != null
                && options.hasLongOption(positionalKey.substring(Configuration.PREFIX.length()));
        if (positionalKey != null && !positionalIsAnOption && given.getArgList().isEmpty()) {
            Optional<String> model = config.value(positionalKey);
            if (model.isPresent()) {
                keys.add(positionalKey);
                positional = List.of(model.get().trim());
            }
        }
        return new ConfiguredArguments(given, assemble(args, added, positional), List.copyOf(keys));
    }

    /**
     * The command line's options, then the configured ones, then "--" and the positional arguments. Configured
     * options come after the user's so an option of the user's that takes several values cannot swallow them, and
     * a configured positional argument comes after "--" so that one starting with '-' stays a positional argument.
     */
    private static String[] assemble(String[] args, List<String> added, List<String> positional) {
        int separator = Arrays.asList(args).indexOf("--");
        List<String> head = Arrays.asList(args).subList(0, separator < 0 ? args.length : separator);
        List<String> tail = separator < 0 ? List.of() : Arrays.asList(args).subList(separator + 1, args.length);
        List<String> all = new ArrayList<>(head);
        all.addAll(added);
        if (!tail.isEmpty() || !positional.isEmpty() || separator >= 0) {
            all.add("--");
            all.addAll(tail);
            all.addAll(positional);
        }
        return all.toArray(String[]::new);
    }

    private static List<String> asArguments(Option option, String key, String value) {
        String flag = "--" + option.getLongOpt();
        if (!option.hasArg()) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true" -> List.of(flag);
                case "false" -> List.of();
                default -> throw new BadInputException(Configuration.describe(key)
                        + " is a flag and must be true or false, got '" + value + "'");
            };
        }
        // one token per value, "--name=value", so that a value starting with '-' is not taken for an option
        boolean severalValues = option.getArgs() != 1 && !option.hasValueSeparator();
        List<String> values = severalValues ? Arrays.stream(value.split(",")).map(String::trim).toList()
                : List.of(value);
        return values.stream().map(v -> flag + "=" + v).toList();
    }

    private static boolean anotherOfItsGroupIsGiven(Options options, Option option, CommandLine given) {
        OptionGroup group = options.getOptionGroup(option);
        return group != null && group.getOptions().stream().anyMatch(o -> given.hasOption(o.getKey()));
    }

    /** A copy of the options in which none is required, to read what the command line already gives. */
    private static Options lenient(Options options) {
        Options copy = new Options();
        for (Option option : options.getOptions()) {
            Option o = (Option) option.clone();
            o.setRequired(false);
            copy.addOption(o);
        }
        return copy;
    }
}

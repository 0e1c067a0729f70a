package dev.tresor.kms.server;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A command's arguments after its name: {@code --name value} (or {@code --name=value}) options,
 * {@code --flag}s and positional words, each checked against what the command accepts.
 */
public final class Arguments {
    private final String command;
    private final Map<String, String> options;
    private final Set<String> flags;
    private final List<String> positionals;

    private Arguments(String command, Map<String, String> options, Set<String> flags, List<String> positionals) {
        this.command = command;
        this.options = options;
        this.flags = flags;
        this.positionals = positionals;
    }

    /**
     * @param valueOptions options that take a value, without the leading dashes
     * @param flagOptions  options without a value
     * @param maxPositionals how many positional words the command takes
     */
    public static Arguments parse(String command, List<String> args, Set<String> valueOptions,
                                  Set<String> flagOptions, int maxPositionals) {
        Map<String, String> options = new HashMap<>();
        Set<String> flags = new HashSet<>();
        List<String> positionals = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("--") || arg.equals("--")) {
                positionals.add(arg);
                continue;
            }
            int equals = arg.indexOf('=');
            String name = arg.substring(2, equals < 0 ? arg.length() : equals);
            if (flagOptions.contains(name) && equals < 0) {
                flags.add(name);
            } else if (valueOptions.contains(name)) {
                String value;
                if (equals >= 0) {
                    value = arg.substring(equals + 1);
                } else if (i + 1 < args.size()) {
                    value = args.get(++i);
                } else {
                    throw new UsageError(command + ": --" + name + " needs a value");
                }
                if (options.put(name, value) != null) {
                    throw new UsageError(command + ": --" + name + " given twice");
                }
            } else {
                throw new UsageError(command + ": unknown option --" + name);
            }
        }
        if (positionals.size() > maxPositionals) {
            throw new UsageError(command + ": unexpected argument '" + positionals.get(maxPositionals) + "'");
        }
        return new Arguments(command, options, flags, positionals);
    }

    public String command() {
        return command;
    }

    public Optional<String> option(String name) {
        return Optional.ofNullable(options.get(name));
    }

    public String required(String name) {
        return option(name).orElseThrow(() -> new UsageError(command + ": --" + name + " is required"));
    }

    public boolean flag(String name) {
        return flags.contains(name);
    }

    public Optional<String> positional(int index) {
        return index < positionals.size() ? Optional.of(positionals.get(index)) : Optional.empty();
    }

    public String requiredPositional(int index, String what) {
        return positional(index).orElseThrow(() -> new UsageError(command + ": " + what + " is required"));
    }

    public long positiveNumber(String name) {
        String text = required(name);
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = 0;
        }
        if (value > 0) {
            return value;
        }
        throw new UsageError(command + ": --" + name + " must be a positive whole number, not '" + text + "'");
    }
}

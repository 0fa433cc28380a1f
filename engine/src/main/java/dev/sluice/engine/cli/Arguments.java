package dev.sluice.engine.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line: options ({@code --name value}, {@code --name=value}, repeatable),
 * boolean flags, and positional arguments. Only options a command declares are accepted,
 * and environment variables stand in for some of them.
 */
public final class Arguments {
    private final Map<String, List<String>> options = new HashMap<>();
    private final List<String> positional = new ArrayList<>();
    private final Map<String, String> env;

    private Arguments(Map<String, String> env) {
        this.env = env;
    }

    /**
     * Parses {@code args} against the declared options (which take a value) and flags (which
     * do not). Short aliases map to long names in {@code aliases}, e.g. {@code -c → --config}.
     */
    public static Arguments parse(List<String> args, Set<String> valued, Set<String> flags,
            Map<String, String> aliases, Map<String, String> env) throws UsageException {
        Arguments a = new Arguments(env);
        boolean onlyPositional = false;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (onlyPositional || !arg.startsWith("-") || arg.equals("-")) {
                a.positional.add(arg);
                continue;
            }
            if (arg.equals("--")) {
                onlyPositional = true;
                continue;
            }
            String name = arg;
            String value = null;
            int eq = arg.indexOf('=');
            if (arg.startsWith("--") && eq > 0) {
                name = arg.substring(0, eq);
                value = arg.substring(eq + 1);
            }
            name = aliases.getOrDefault(name, name);
            if (flags.contains(name)) {
                if (value != null) {
                    throw new UsageException("option " + name + " takes no value");
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add("true");
            } else if (valued.contains(name)) {
                if (value == null) {
                    if (i + 1 >= args.size()) {
                        throw new UsageException("option " + name + " needs a value");
                    }
                    value = args.get(++i);
                }
                a.options.computeIfAbsent(name, k -> new ArrayList<>()).add(value);
            } else {
                throw new UsageException("unknown option " + name);
            }
        }
        return a;
    }

    public boolean flag(String name) {
        return options.containsKey(name);
    }

    /** The last value of an option, else the environment variable, else null. */
    public String value(String name, String envVar) {
        List<String> v = options.get(name);
        if (v != null) {
            return v.get(v.size() - 1);
        }
        if (envVar != null) {
            String e = env.get(envVar);
            if (e != null && !e.isEmpty()) {
                return e;
            }
        }
        return null;
    }

    public String value(String name) {
        return value(name, null);
    }

    public Path path(String name, String envVar) {
        String v = value(name, envVar);
        return v == null ? null : Path.of(v);
    }

    public String required(String name, String envVar) throws UsageException {
        String v = value(name, envVar);
        if (v == null) {
            throw new UsageException("missing " + name + (envVar == null ? "" : " (or " + envVar + ")"));
        }
        return v;
    }

    public List<String> values(String name) {
        return options.getOrDefault(name, List.of());
    }

    public List<String> positional() {
        return List.copyOf(positional);
    }

    public int intValue(String name, int fallback) throws UsageException {
        String v = value(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new UsageException("option " + name + " needs a whole number, not '" + v + "'");
        }
    }
}

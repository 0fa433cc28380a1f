package dev.sluice.engine.cli;

import java.util.List;
import java.util.Map;
import java.util.Set;

/** One CLI command: its name, its help text, the options it accepts, and what it does. */
interface Command {

    /** The words that select it, e.g. "backup" or "config validate". */
    String name();

    /** One line for the command list. */
    String summary();

    /** The full help, printed by {@code --help}. */
    String help();

    /** Options that take a value. */
    Set<String> valued();

    /** Options that take no value. */
    Set<String> flags();

    default Map<String, String> aliases() {
        return Map.of("-c", "--config", "-r", "--repo", "-h", "--help");
    }

    int run(Arguments args, Console console) throws Exception;

    static Set<String> with(Set<String> base, String... more) {
        java.util.HashSet<String> s = new java.util.HashSet<>(base);
        s.addAll(List.of(more));
        return Set.copyOf(s);
    }
}

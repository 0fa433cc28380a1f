package dev.sluice.engine.cli;

import dev.sluice.engine.config.ConfigException;
import dev.sluice.engine.config.ConfigLoader;
import dev.sluice.engine.config.ConfigProblem;
import dev.sluice.engine.config.ConfigSummary;
import dev.sluice.engine.config.SluiceConfig;
import java.nio.file.Path;
import java.util.Set;

/** {@code sluice config validate -c FILE}: "ok" and a summary, or every problem with its place. */
final class ConfigCommands implements Command {
    @Override public String name() { return "config validate"; }
    @Override public String summary() { return "check a config file and print every problem"; }
    @Override public Set<String> valued() { return Set.of("--config"); }
    @Override public Set<String> flags() { return Set.of("--help"); }

    @Override
    public String help() {
        return """
                Usage: sluice config validate -c FILE

                Loads FILE and prints "ok" with a summary of its jobs, or every problem as
                FILE:LINE:COLUMN: KEY.PATH: message. Exit status 0 when valid, 2 when not.
                """;
    }

    @Override
    public int run(Arguments args, Console console) throws Exception {
        Path file = Path.of(args.required("--config", "SLUICE_CONFIG"));
        try {
            SluiceConfig config = ConfigLoader.load(file);
            console.out().println(ConfigSummary.render(config));
            return ExitCode.OK;
        } catch (ConfigException e) {
            for (ConfigProblem p : e.problems()) {
                console.out().println(p);
            }
            console.out().println(e.problems().size() + " problem(s) in " + file);
            return ExitCode.USAGE;
        }
    }

    /** Loads a config for another command; problems become a usage failure listing all of them. */
    static SluiceConfig load(Path file) throws CommandException {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            StringBuilder m = new StringBuilder("invalid configuration:");
            for (ConfigProblem p : e.problems()) {
                m.append("\n  ").append(p);
            }
            throw new CommandException(ExitCode.USAGE, m.toString(), e);
        }
    }
}

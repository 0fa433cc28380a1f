package dev.sluice.engine.cli;

import dev.sluice.hook.HookCatalog;
import java.util.Set;

/** {@code sluice hooks [--json]}: prints the catalog of hook points and their contracts. */
final class HooksCommand implements Command {
    @Override public String name() { return "hooks"; }
    @Override public String summary() { return "print the hook points, their arguments, environment and contracts"; }
    @Override public Set<String> valued() { return Set.of(); }
    @Override public Set<String> flags() { return Set.of("--help", "--json"); }

    @Override
    public String help() {
        return """
                Usage: sluice hooks [--json]

                Prints every named hook point: when and on which side it runs, its arguments,
                its environment, what it reads on stdin, what it may write on stdout and what
                its exit status means. See docs/hooks.md.
                """;
    }

    @Override
    public int run(Arguments args, Console console) {
        HookCatalog catalog = HookCatalog.standard();
        console.out().print(args.flag("--json") ? catalog.renderJson() + "\n" : catalog.renderText());
        return ExitCode.OK;
    }
}

package dev.sluice.engine.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.util.Map;

/**
 * Where a command writes (results to {@code out}, diagnostics and progress to {@code err}),
 * the environment it reads, whether a person is watching, and the clock.
 */
public record Console(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal, Clock clock) {

    public static Console system() {
        return new Console(System.out, System.err, System.getenv(), System.console() != null, Clock.systemUTC());
    }
}

package dev.sluice.engine.cli;

/** The command line is wrong; the message says how. Exits with {@link ExitCode#USAGE}. */
public final class UsageException extends Exception {
    public UsageException(String message) {
        super(message);
    }
}

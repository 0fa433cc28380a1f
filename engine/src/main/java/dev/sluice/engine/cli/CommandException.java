package dev.sluice.engine.cli;

/** A command ends with this exit code and message (printed to stderr as "sluice: …"). */
public final class CommandException extends Exception {
    private final int exitCode;

    public CommandException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public CommandException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}

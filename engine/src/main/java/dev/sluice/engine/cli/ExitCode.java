package dev.sluice.engine.cli;

/**
 * The exit statuses scripts can rely on. They are part of the interface: see README.
 */
public final class ExitCode {
    /** Everything asked for was done. */
    public static final int OK = 0;
    /** The command failed; for backup, no snapshot was written. */
    public static final int FAILURE = 1;
    /** Bad command line or configuration; nothing was done. */
    public static final int USAGE = 2;
    /** Completed, but some files could not be read (backup) or restored (restore); they are listed. */
    public static final int PARTIAL = 3;
    /** check found damage; the findings are listed. */
    public static final int DAMAGED = 4;
    /** The repository does not exist or is not a sluice repository. */
    public static final int NO_REPOSITORY = 10;
    /** The repository is locked by another process. */
    public static final int LOCKED = 11;
    /** Wrong key file or password. */
    public static final int WRONG_KEY = 12;

    private ExitCode() {}
}

package dev.sluice.engine.cli;

import dev.sluice.engine.job.JobStatus;

/**
 * The exit statuses scripts can rely on, the same numbers as {@link JobStatus}. They are part
 * of the interface: see README.
 */
public final class ExitCode {
    /** Everything asked for was done. */
    public static final int OK = JobStatus.OK;
    /** The command failed; for backup, no snapshot was written. */
    public static final int FAILURE = JobStatus.FAILURE;
    /** Bad command line or configuration; nothing was done. */
    public static final int USAGE = JobStatus.USAGE;
    /** Completed, but some files could not be read (backup) or restored (restore); they are listed. */
    public static final int PARTIAL = JobStatus.PARTIAL;
    /** check found damage; the findings are listed. */
    public static final int DAMAGED = JobStatus.DAMAGED;
    /** The repository does not exist or is not a sluice repository. */
    public static final int NO_REPOSITORY = JobStatus.NO_REPOSITORY;
    /** The repository is locked by another process. */
    public static final int LOCKED = JobStatus.LOCKED;
    /** Wrong key file or password. */
    public static final int WRONG_KEY = JobStatus.WRONG_KEY;

    private ExitCode() {}
}

package dev.sluice.engine.job;

import dev.sluice.engine.crypto.KeyException;
import dev.sluice.engine.crypto.WrongKeyException;
import dev.sluice.engine.repository.RepositoryException;
import dev.sluice.engine.repository.RepositoryLockedException;
import java.nio.file.NoSuchFileException;

/**
 * The final status of a job run, the same numbers the CLI exits with (see README): hooks
 * receive it ({@code job.end STATUS}), the daemon reports it, scripts branch on it.
 */
public final class JobStatus {
    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int USAGE = 2;
    public static final int PARTIAL = 3;
    public static final int DAMAGED = 4;
    public static final int NO_REPOSITORY = 10;
    public static final int LOCKED = 11;
    public static final int WRONG_KEY = 12;

    private JobStatus() {}

    /** The status a failure ends a run with. */
    public static int of(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && (t instanceof java.io.UncheckedIOException || t.getClass() == RuntimeException.class)) {
            t = t.getCause();
        }
        if (t instanceof WrongKeyException) {
            return WRONG_KEY;
        }
        if (t instanceof KeyException) {
            return USAGE;
        }
        if (t instanceof RepositoryLockedException) {
            return LOCKED;
        }
        if (t instanceof RepositoryException || t instanceof NoSuchFileException nsf && nsf.getFile() != null
                && nsf.getFile().endsWith("config")) {
            return NO_REPOSITORY;
        }
        return FAILURE;
    }
}

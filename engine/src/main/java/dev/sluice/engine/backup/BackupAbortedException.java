package dev.sluice.engine.backup;

/** A backup stopped before its snapshot was written; earlier snapshots are untouched. */
public final class BackupAbortedException extends RuntimeException {
    public BackupAbortedException(String message) {
        super(message);
    }

    public BackupAbortedException(String message, Throwable cause) {
        super(message, cause);
    }
}

package dev.sluice.engine.repository;

import java.util.List;

/** A lock could not be taken because other locks conflict with it; the holders are listed. */
public final class RepositoryLockedException extends RepositoryException {
    private final transient List<RepositoryLock.LockInfo> holders;

    public RepositoryLockedException(String message, List<RepositoryLock.LockInfo> holders) {
        super(message);
        this.holders = List.copyOf(holders);
    }

    /** The conflicting locks, stale ones included. */
    public List<RepositoryLock.LockInfo> holders() {
        return holders;
    }
}

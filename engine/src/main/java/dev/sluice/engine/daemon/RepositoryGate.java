package dev.sluice.engine.daemon;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * Orders the daemon's own backups and prunes of one local repository inside the process, before they reach the
 * repository lock: a backup waits for a prune of the same repository to end (instead of failing with "locked"),
 * and a prune that finds a backup running is deferred at once (its caller tries again later). Other processes
 * (the CLI, another daemon) still meet only the repository lock.
 */
public final class RepositoryGate {
    private final Map<Path, ReentrantReadWriteLock> gates = new ConcurrentHashMap<>();

    private ReentrantReadWriteLock gate(Path repository) {
        return gates.computeIfAbsent(repository.toAbsolutePath().normalize(), k -> new ReentrantReadWriteLock());
    }

    /** Runs a backup of {@code repository}, after any prune of it in this daemon has ended. */
    public <T> T backup(Path repository, Supplier<T> run) {
        ReentrantReadWriteLock.ReadLock read = gate(repository).readLock();
        read.lock();
        try {
            return run.get();
        } finally {
            read.unlock();
        }
    }

    /**
     * Runs a prune of {@code repository} when no backup or prune of it runs in this daemon; otherwise returns
     * {@code busy} at once without running it.
     */
    public <T> T prune(Path repository, Supplier<T> run, Supplier<T> busy) {
        ReentrantReadWriteLock.WriteLock write = gate(repository).writeLock();
        if (!write.tryLock()) {
            return busy.get();
        }
        try {
            return run.get();
        } finally {
            write.unlock();
        }
    }
}

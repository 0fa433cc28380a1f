package dev.sluice.engine.repository;

import java.io.Closeable;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A lock file in {@code locks/}: shared for operations that only add (backup), exclusive for
 * operations that delete or rewrite (prune, index rebuild). Released (the file deleted) on close.
 *
 * <p>Taking a lock writes the own lock file first and then looks at the others; on a conflict the
 * own file is removed again and {@link RepositoryLockedException} names the holders. Two processes
 * racing for conflicting locks may therefore both back off, never both succeed. A lock whose owner
 * runs on this host but whose process is gone is stale; it still blocks, and the message says how to
 * remove it ({@link #removeStale}). Locks of other hosts cannot be judged and are never removed here.
 */
public final class RepositoryLock implements Closeable {
    /** What a lock allows others to do at the same time. */
    public enum Mode {
        /** Many shared locks may coexist (backups). */
        SHARED,
        /** No other lock may coexist (prune, index rebuild). */
        EXCLUSIVE
    }

    /** Who holds a lock: a host name and a process id. */
    public record Owner(String host, long pid) {
        public Owner {
            Objects.requireNonNull(host, "host");
            if (host.isBlank() || host.contains("\n")) {
                throw new IllegalArgumentException("lock owner host must be a non-empty single line, got '" + host + "'");
            }
            if (pid <= 0) {
                throw new IllegalArgumentException("lock owner pid must be positive, got " + pid);
            }
        }

        /** This process on this host (host name from the system; "localhost" if it cannot be found). */
        public static Owner current() {
            String host;
            try {
                host = InetAddress.getLocalHost().getHostName();
            } catch (UnknownHostException e) {
                host = "localhost";
            }
            return new Owner(host, ProcessHandle.current().pid());
        }
    }

    /** A lock file as read from {@code locks/}. */
    public record LockInfo(Path file, Mode mode, String host, long pid, Instant time) {
        public LockInfo {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(time, "time");
        }

        /** True if the lock was taken on {@code localHost} by a process that no longer runs. */
        public boolean isStaleOn(String localHost) {
            return host.equals(localHost) && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        String describe(String localHost) {
            return (mode == Mode.EXCLUSIVE ? "an exclusive" : "a shared") + " lock by host " + host + " pid " + pid
                    + " since " + time + " (" + file.getFileName() + ")"
                    + (isStaleOn(localHost) ? " which is STALE: process " + pid + " no longer runs on this host;"
                    + " remove it with 'sluice unlock' (RepositoryLock.removeStale)" : "");
        }
    }

    private final Path file;
    private final LockInfo info;
    private boolean released;

    private RepositoryLock(Path file, LockInfo info) {
        this.file = file;
        this.info = info;
    }

    /**
     * Locks the repository at {@code root} before anything of it is loaded, so a prune cannot
     * delete packs between loading the index and locking. Returns null when {@code root} holds
     * no repository config: opening it then reports why.
     */
    public static RepositoryLock acquireBeforeOpen(Path root, Mode mode, Owner owner, Clock clock)
            throws IOException {
        RepositoryLayout layout = new RepositoryLayout(root);
        return Files.isRegularFile(layout.config()) ? acquire(layout, mode, owner, clock) : null;
    }

    /** Takes a lock or throws {@link RepositoryLockedException} naming the conflicting holders. */
    public static RepositoryLock acquire(RepositoryLayout layout, Mode mode, Owner owner, Clock clock)
            throws IOException {
        byte[] random = new byte[8];
        new SecureRandom().nextBytes(random);
        String name = mode.name().toLowerCase(java.util.Locale.ROOT) + "-" + Hex.encode(random);
        Path file = layout.locks().resolve(name);
        Instant now = clock.instant();
        String content = "mode = " + mode.name().toLowerCase(java.util.Locale.ROOT) + "\nhost = " + owner.host()
                + "\npid = " + owner.pid() + "\ntime = " + now + "\n";
        Files.createDirectories(layout.locks());
        AtomicFile.write(layout.tmp(), file, content.getBytes(StandardCharsets.UTF_8));
        RepositoryLock lock = new RepositoryLock(file, new LockInfo(file, mode, owner.host(), owner.pid(), now));
        List<LockInfo> conflicts = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        try {
            for (LockInfo other : read(layout, unreadable)) {
                if (!other.file().equals(file) && (mode == Mode.EXCLUSIVE || other.mode() == Mode.EXCLUSIVE)) {
                    conflicts.add(other);
                }
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
        if (!conflicts.isEmpty() || !unreadable.isEmpty()) {
            lock.close();
            List<String> parts = new ArrayList<>();
            for (LockInfo c : conflicts) {
                parts.add(c.describe(owner.host()));
            }
            parts.addAll(unreadable);
            throw new RepositoryLockedException("cannot take " + (mode == Mode.EXCLUSIVE ? "an exclusive" : "a shared")
                    + " lock on repository " + layout.root() + ": it is held by " + String.join("; ", parts),
                    conflicts);
        }
        return lock;
    }

    /** The locks currently in {@code locks/}; unreadable lock files are reported as exceptions. */
    public static List<LockInfo> list(RepositoryLayout layout) throws IOException {
        List<String> unreadable = new ArrayList<>();
        List<LockInfo> locks = read(layout, unreadable);
        if (!unreadable.isEmpty()) {
            throw new RepositoryException(String.join("; ", unreadable));
        }
        return locks;
    }

    /** Removes the locks of {@code localHost} whose process no longer runs, and returns them. */
    public static List<LockInfo> removeStale(RepositoryLayout layout, String localHost) throws IOException {
        List<LockInfo> removed = new ArrayList<>();
        for (LockInfo lock : read(layout, new ArrayList<>())) {
            if (lock.isStaleOn(localHost)) {
                Files.deleteIfExists(lock.file());
                removed.add(lock);
            }
        }
        if (!removed.isEmpty()) {
            AtomicFile.syncDirectory(layout.locks());
        }
        return removed;
    }

    public LockInfo info() {
        return info;
    }

    /** Deletes the lock file. */
    @Override
    public void close() throws IOException {
        if (!released) {
            released = true;
            Files.deleteIfExists(file);
        }
    }

    private static List<LockInfo> read(RepositoryLayout layout, List<String> unreadable) throws IOException {
        List<LockInfo> locks = new ArrayList<>();
        for (String name : Repository.listNames(layout.locks())) {
            Path file = layout.locks().resolve(name);
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                continue;
            }
            try {
                locks.add(parse(file, text));
            } catch (IllegalArgumentException | DateTimeParseException e) {
                unreadable.add("an unreadable lock file " + file + " (" + e.getMessage() + "); remove it by hand if"
                        + " no sluice process uses the repository");
            }
        }
        return locks;
    }

    private static LockInfo parse(Path file, String text) {
        Map<String, String> values = new HashMap<>();
        for (String line : text.split("\n")) {
            int eq = line.indexOf(" = ");
            if (eq > 0) {
                values.put(line.substring(0, eq), line.substring(eq + 3));
            }
        }
        for (String key : List.of("mode", "host", "pid", "time")) {
            if (!values.containsKey(key)) {
                throw new IllegalArgumentException("no '" + key + "' line");
            }
        }
        return new LockInfo(file, Mode.valueOf(values.get("mode").toUpperCase(java.util.Locale.ROOT)),
                values.get("host"), Long.parseLong(values.get("pid")), Instant.parse(values.get("time")));
    }
}

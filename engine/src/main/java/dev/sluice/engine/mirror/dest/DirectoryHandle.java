package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.OpenDirectory;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.scan.PathOrder;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * An open directory of the target, held by its descriptor, through which every entry below it is created,
 * opened, renamed and deleted without ever following a symlink.
 *
 * <p>Lookups of a single name use the descriptor directly ({@code openat} with {@code O_NOFOLLOW},
 * {@code unlinkat}, {@code renameat}). Calls the JDK offers only on paths (mkdir, symlink, link, mknod, listing)
 * go through {@code /proc/self/fd/N/name}: the kernel resolves {@code /proc/self/fd/N} to the directory this
 * descriptor holds, wherever it has been moved and whatever now sits at its old path, and none of these calls
 * follows a symlink in the last name. {@code shown} is the path relative to the target, for messages.
 */
final class DirectoryHandle implements Closeable {

    private final int fd;
    private final byte[] shown;
    private int refs = 1;

    private DirectoryHandle(int fd, byte[] shown) {
        this.fd = fd;
        this.shown = shown;
    }

    /** Opens the target's root directory itself (configured by the administrator, so a symlink there is followed). */
    static DirectoryHandle openRoot(Path root) throws IOException {
        int fd = NativeCalls.open(root, NativeCalls.O_RDONLY | NativeCalls.O_DIRECTORY | NativeCalls.O_CLOEXEC, 0);
        return new DirectoryHandle(fd, new byte[0]);
    }

    int fd() {
        return fd;
    }

    /** The path of this directory relative to the target ("" for the root), for messages. */
    byte[] shown() {
        return shown;
    }

    String describe(byte[] name) {
        return shown.length == 0 ? RawPath.escape(name) : RawPath.escape(child(name));
    }

    byte[] child(byte[] name) {
        if (shown.length == 0) {
            return name.clone();
        }
        byte[] out = new byte[shown.length + 1 + name.length];
        System.arraycopy(shown, 0, out, 0, shown.length);
        out[shown.length] = '/';
        System.arraycopy(name, 0, out, shown.length + 1, name.length);
        return out;
    }

    /** {@code /proc/self/fd/N}: this directory, pinned. */
    Path pinned() {
        return Path.of("/proc/self/fd/" + fd);
    }

    /** {@code /proc/self/fd/N/name}: the entry {@code name} of this directory; its last name is not followed by the calls used. */
    Path entry(byte[] name) {
        return RawPath.resolve(pinned(), name);
    }

    /**
     * Opens the subdirectory {@code name}; fails (ELOOP or ENOTDIR) when it is a symlink or not a directory.
     */
    DirectoryHandle openDirectory(byte[] name) throws IOException {
        int child = NativeCalls.openat(fd, name,
                NativeCalls.O_RDONLY | NativeCalls.O_DIRECTORY | NativeCalls.O_NOFOLLOW | NativeCalls.O_CLOEXEC, 0,
                () -> describe(name));
        return new DirectoryHandle(child, child(name));
    }

    /** Opens {@code name} with {@code flags} plus O_NOFOLLOW and O_CLOEXEC; returns the raw descriptor. */
    int open(byte[] name, int flags, int mode) throws IOException {
        return NativeCalls.openat(fd, name, flags | NativeCalls.O_NOFOLLOW | NativeCalls.O_CLOEXEC, mode, () -> describe(name));
    }

    /** lstat of {@code name} (no follow), or null when there is no such entry. */
    PosixStat lstat(byte[] name) throws IOException {
        try {
            return NativeCalls.lstatAt(fd, name, () -> describe(name));
        } catch (java.nio.file.NoSuchFileException e) {
            return null;
        }
    }

    void mkdir(byte[] name) throws IOException {
        Files.createDirectory(entry(name),
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
    }

    void symlink(byte[] name, byte[] target) throws IOException {
        Files.createSymbolicLink(entry(name), RawPath.linkTarget(target));
    }

    /** Makes {@code name} a new hard link to {@code fromName} of {@code from}; link(2) does not follow a symlink. */
    void link(byte[] name, DirectoryHandle from, byte[] fromName) throws IOException {
        Files.createLink(entry(name), from.entry(fromName));
    }

    void mknod(byte[] name, int stMode, long rdev) throws IOException {
        NativeCalls.mknod(entry(name), stMode, rdev, () -> describe(name));
    }

    void unlink(byte[] name) throws IOException {
        NativeCalls.unlinkat(fd, name, 0, () -> describe(name));
    }

    void rmdir(byte[] name) throws IOException {
        NativeCalls.unlinkat(fd, name, NativeCalls.AT_REMOVEDIR, () -> describe(name));
    }

    /** renameat(2): replaces a non-directory at {@code toName} atomically. */
    void rename(byte[] name, DirectoryHandle to, byte[] toName) throws IOException {
        NativeCalls.renameat(fd, name, to.fd, toName, () -> describe(name) + " -> " + to.describe(toName));
    }

    /** The names in this directory, sorted in scan order (read through this handle's own descriptor). */
    List<byte[]> list() throws IOException {
        List<byte[]> names = OpenDirectory.names(fd, () -> shown.length == 0 ? "." : RawPath.escape(shown));
        names.sort(PathOrder::compareNames);
        return names;
    }

    /**
     * Adds u+rwx to the directory {@code name}, which a receiver that is not root needs to work or delete inside it
     * (the recorded mode is applied again when a run leaves a directory it keeps). chmod goes to the inode held by
     * an O_PATH descriptor, so a symlink swapped in meanwhile is never followed; anything but a directory is left
     * alone.
     */
    void grantOwnerAccess(byte[] name) throws IOException {
        int pathFd = open(name, NativeCalls.O_PATH, 0);
        try {
            PosixStat st = NativeCalls.fstat(pathFd, describe(name));
            if (st.isDirectory() && (st.mode() & 0700) != 0700) {
                Files.setAttribute(Path.of("/proc/self/fd/" + pathFd), "unix:mode", (st.mode() & 07777) | 0700);
            }
        } finally {
            NativeCalls.close(pathFd);
        }
    }

    /** Deletes {@code name} and, when it is a directory, everything below it, never following a symlink. */
    long deleteTree(byte[] name, PosixStat stat) throws IOException {
        if (!stat.isDirectory()) {
            unlink(name);
            return 1;
        }
        long n = 0;
        if ((stat.mode() & 0700) != 0700) {
            grantOwnerAccess(name);
        }
        try (DirectoryHandle sub = openDirectory(name)) {
            for (byte[] child : sub.list()) {
                PosixStat s = sub.lstat(child);
                if (s != null) {
                    n += sub.deleteTree(child, s);
                }
            }
        }
        rmdir(name);
        return n + 1;
    }

    /**
     * Flushes the whole file system holding this directory to disk: syncfs(2) through coreutils' {@code sync -f},
     * given {@code /proc/PID/fd/N} so that no path of the tree is named.
     */
    void syncFileSystem() throws IOException {
        String pinned = "/proc/" + ProcessHandle.current().pid() + "/fd/" + fd;
        ProcessBuilder pb = new ProcessBuilder("sync", "-f", pinned)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String err;
        try (java.io.InputStream in = p.getErrorStream()) {
            err = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        }
        int exit;
        try {
            exit = p.waitFor();
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while flushing the file system of "
                    + (shown.length == 0 ? "the target" : RawPath.escape(shown)));
        }
        if (exit != 0) {
            throw new IOException("sync -f failed for the file system of the target (exit status " + exit + "): " + err);
        }
    }

    /** Another reference to this same handle; the descriptor is closed when every reference is closed. */
    DirectoryHandle share() {
        if (refs <= 0) {
            throw new IllegalStateException("directory handle of " + (shown.length == 0 ? "." : RawPath.escape(shown))
                    + " is closed");
        }
        refs++;
        return this;
    }

    /** Drops one reference; the last one closes the descriptor. */
    @Override
    public void close() {
        if (refs > 0 && --refs == 0) {
            NativeCalls.close(fd);
        }
    }
}

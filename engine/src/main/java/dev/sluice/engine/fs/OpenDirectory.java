package dev.sluice.engine.fs;

import java.io.Closeable;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A directory held open by a descriptor while a walk is inside it: its names are read from that descriptor and
 * its entries are looked at with {@code fstatat} relative to it, so the kernel resolves one name per entry
 * instead of the whole path, and a directory renamed or swapped during the walk is still the one that was
 * opened. Opened with {@code O_NOFOLLOW}: a directory that became a symlink since it was looked at fails to open.
 * Uses the JDK's {@code sun.nio.fs} natives like {@link PosixStat}.
 */
public final class OpenDirectory implements Closeable {
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 02000000;
    private static final int O_DIRECTORY;
    private static final int O_NOFOLLOW;

    static {
        boolean arm = "aarch64".equals(System.getProperty("os.arch")) || "arm".equals(System.getProperty("os.arch"));
        O_DIRECTORY = arm ? 040000 : 0200000;
        O_NOFOLLOW = arm ? 0100000 : 0400000;
    }

    private static final byte[] DOT = {'.'};

    private final Path path;
    private int fd;

    private OpenDirectory(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Opens the directory {@code dir} (the last name is not followed). */
    public static OpenDirectory open(Path dir) throws IOException {
        int fd;
        try {
            fd = (int) Natives.OPEN.invokeExact(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
        } catch (Throwable t) {
            throw PosixStat.Calls.failure(t, dir.toString());
        }
        return new OpenDirectory(dir, fd);
    }

    /** The path this directory was opened by. */
    public Path path() {
        return path;
    }

    /** The names in the directory (without "." and ".."), in the order the file system gives them. */
    public List<byte[]> names() throws IOException {
        return names(fd, path::toString);
    }

    /**
     * The names in the directory open as {@code fd} (any descriptor of a directory opened for reading), without
     * "." and ".."; {@code fd} stays open and where it was (the names are read through a new open of ".").
     */
    public static List<byte[]> names(int fd, Supplier<String> shown) throws IOException {
        List<byte[]> names = new ArrayList<>();
        long dir;
        try {
            // a new open of "." (not dup: a duplicate would share, and move, fd's read position)
            int copy = (int) Natives.OPENAT.invokeExact(fd, DOT, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
            try {
                dir = (long) Natives.FDOPENDIR.invokeExact(copy);
            } catch (Throwable t) {
                RawDescriptor.close(copy);
                throw t;
            }
        } catch (Throwable t) {
            throw PosixStat.Calls.failure(t, shown.get());
        }
        try {
            while (true) {
                byte[] name = (byte[]) Natives.READDIR.invokeExact(dir);
                if (name == null) {
                    break;
                }
                if (isDot(name)) {
                    continue;
                }
                names.add(name);
            }
        } catch (Throwable t) {
            throw PosixStat.Calls.failure(t, shown.get());
        } finally {
            try {
                Natives.CLOSEDIR.invokeExact(dir);
            } catch (Throwable t) {
                // closedir only fails for a bad handle, which this is not; the descriptor is gone either way
            }
        }
        return names;
    }

    /** fstatat of {@code name} in this directory, not following a final symlink. */
    public PosixStat lstat(byte[] name) throws IOException {
        if (fd < 0) {
            throw new IllegalStateException("directory " + path + " is closed");
        }
        return PosixStat.lstatAt(fd, name, () -> path + "/" + RawPath.escape(name));
    }

    @Override
    public void close() {
        if (fd >= 0) {
            RawDescriptor.close(fd);
            fd = -1;
        }
    }

    private static boolean isDot(byte[] n) {
        return n.length == 1 && n[0] == '.' || n.length == 2 && n[0] == '.' && n[1] == '.';
    }

    /** Handles into sun.nio.fs.UnixNativeDispatcher, resolved once. */
    private static final class Natives {
        static final MethodHandle OPEN;
        static final MethodHandle OPENAT;
        static final MethodHandle FDOPENDIR;
        static final MethodHandle READDIR;

        static final MethodHandle CLOSEDIR;

        static {
            MethodHandle open = null;
            MethodHandle openat = null;
            MethodHandle fdopendir = null;
            MethodHandle readdir = null;

            MethodHandle closedir = null;
            try {
                Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
                Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(nd, MethodHandles.lookup());
                open = l.findStatic(nd, "open", MethodType.methodType(int.class, unixPath, int.class, int.class))
                        .asType(MethodType.methodType(int.class, Path.class, int.class, int.class));
                openat = l.findStatic(nd, "openat", MethodType.methodType(int.class, int.class, byte[].class, int.class,
                        int.class));
                fdopendir = l.findStatic(nd, "fdopendir", MethodType.methodType(long.class, int.class));
                readdir = l.findStatic(nd, "readdir", MethodType.methodType(byte[].class, long.class));

                closedir = l.findStatic(nd, "closedir", MethodType.methodType(void.class, long.class));
            } catch (ReflectiveOperationException | RuntimeException e) {
                // every call then fails through PosixStat.Calls.failure, which names the missing --add-opens
            }
            OPEN = open;
            OPENAT = openat;
            FDOPENDIR = fdopendir;
            READDIR = readdir;

            CLOSEDIR = closedir;
        }
    }
}

package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.RawDescriptor;
import dev.sluice.engine.fs.RawPath;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The few descriptor-relative system calls the receiver needs and the JDK exposes only inside
 * {@code sun.nio.fs} (openat, unlinkat, renameat, mknod; fstat and fstatat through {@link PosixStat},
 * whose result the receiver uses as is), reached through method handles like
 * {@link RawPath} does; needs {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED}.
 */
final class NativeCalls {

    static final int O_RDONLY = 0;
    static final int O_RDWR = 2;
    static final int O_CREAT = 0100;
    static final int O_EXCL = 0200;
    static final int O_NONBLOCK = 04000;
    static final int O_CLOEXEC = 02000000;
    static final int O_PATH = 010000000;
    static final int O_DIRECTORY;
    static final int O_NOFOLLOW;
    static final int AT_REMOVEDIR = 0x200;
    static final int ENOENT = 2;
    static final int EEXIST = 17;
    static final int ENOTDIR = 20;
    static final int EISDIR = 21;
    static final int ENOTEMPTY = 39;
    static final int ELOOP = 40;

    static {
        boolean arm = "aarch64".equals(System.getProperty("os.arch")) || "arm".equals(System.getProperty("os.arch"));
        O_DIRECTORY = arm ? 040000 : 0200000;
        O_NOFOLLOW = arm ? 0100000 : 0400000;
    }

    /** A failed system call with its errno. */
    static final class ErrnoException extends FileSystemException {
        private static final long serialVersionUID = 1L;
        private final int errno;

        ErrnoException(String file, String reason, int errno) {
            super(file, null, reason);
            this.errno = errno;
        }

        int errno() {
            return errno;
        }
    }

    private static final Handles HANDLES = Handles.load();

    private NativeCalls() {
    }

    static int openat(int dfd, byte[] name, int flags, int mode, Supplier<String> shown) throws IOException {
        try {
            return (int) handles().openat.invokeExact(dfd, name, flags, mode);
        } catch (Throwable t) {
            throw translate(t, shown.get());
        }
    }

    static int open(Path path, int flags, int mode) throws IOException {
        try {
            return (int) handles().open.invoke(RawPath.of(RawPath.bytes(path.toAbsolutePath())), flags, mode);
        } catch (Throwable t) {
            throw translate(t, RawPath.escape(path));
        }
    }

    static void close(int fd) {
        RawDescriptor.close(fd);
    }

    static void unlinkat(int dfd, byte[] name, int flags, Supplier<String> shown) throws IOException {
        try {
            handles().unlinkat.invokeExact(dfd, name, flags);
        } catch (Throwable t) {
            throw translate(t, shown.get());
        }
    }

    static void renameat(int fromDfd, byte[] from, int toDfd, byte[] to, Supplier<String> shown) throws IOException {
        try {
            handles().renameat.invokeExact(fromDfd, from, toDfd, to);
        } catch (Throwable t) {
            throw translate(t, shown.get());
        }
    }

    /** mknod(2) on a path whose parent is reached through {@code /proc/self/fd}; the last name is never followed. */
    static void mknod(Path path, int stMode, long rdev, Supplier<String> shown) throws IOException {
        try {
            handles().mknod.invoke(path, stMode, rdev);
        } catch (Throwable t) {
            throw translate(t, shown.get());
        }
    }

    static PosixStat fstat(int fd, String shown) throws IOException {
        return PosixStat.fstat(fd, shown);
    }

    /** fstatat(2) of {@code name} in {@code dfd} without following a final symlink. */
    static PosixStat lstatAt(int dfd, byte[] name, Supplier<String> shown) throws IOException {
        return PosixStat.lstatAt(dfd, name, shown);
    }

    private static Handles handles() {
        if (HANDLES.failure != null) {
            throw HANDLES.failure;
        }
        return HANDLES;
    }

    private static IOException translate(Throwable t, String shown) {
        if (t instanceof RuntimeException r) {
            throw r;
        }
        if (t instanceof Error e) {
            throw e;
        }
        if (t instanceof IOException io) {
            return io;
        }
        if (!HANDLES.unixException.isInstance(t)) {
            return new IOException("system call on " + shown + " failed", t);
        }
        int errno;
        try {
            errno = (int) HANDLES.errno.invoke(t);
        } catch (Throwable inner) {
            return new IOException("system call on " + shown + " failed: " + t.getMessage(), t);
        }
        String reason = t.getMessage();
        return switch (errno) {
            case ENOENT -> new NoSuchFileException(shown);
            case EEXIST -> new FileAlreadyExistsException(shown);
            case ENOTDIR -> new NotDirectoryException(shown);
            case ENOTEMPTY -> new DirectoryNotEmptyException(shown);
            case 13, 1 -> new AccessDeniedException(shown, null, reason);
            default -> new ErrnoException(shown, reason, errno);
        };
    }

    /** errno of a failed call translated by this class, or 0. */
    static int errno(IOException e) {
        if (e instanceof ErrnoException x) {
            return x.errno();
        }
        if (e instanceof NoSuchFileException) {
            return ENOENT;
        }
        if (e instanceof FileAlreadyExistsException) {
            return EEXIST;
        }
        if (e instanceof NotDirectoryException) {
            return ENOTDIR;
        }
        if (e instanceof DirectoryNotEmptyException) {
            return ENOTEMPTY;
        }
        return 0;
    }

    /** Method handles into sun.nio.fs, resolved once. */
    private static final class Handles {
        RuntimeException failure;
        Class<?> unixException;
        MethodHandle errno;
        MethodHandle openat;
        MethodHandle open;
        MethodHandle unlinkat;
        MethodHandle renameat;
        MethodHandle mknod;

        static Handles load() {
            Handles h = new Handles();
            try {
                Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
                Class<?> path = Class.forName("sun.nio.fs.UnixPath");
                h.unixException = Class.forName("sun.nio.fs.UnixException");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(nd, MethodHandles.lookup());
                h.openat = l.findStatic(nd, "openat", MethodType.methodType(int.class, int.class, byte[].class, int.class, int.class));
                h.open = l.findStatic(nd, "open", MethodType.methodType(int.class, path, int.class, int.class))
                        .asType(MethodType.methodType(int.class, Path.class, int.class, int.class));
                h.unlinkat = l.findStatic(nd, "unlinkat", MethodType.methodType(void.class, int.class, byte[].class, int.class));
                h.renameat = l.findStatic(nd, "renameat",
                        MethodType.methodType(void.class, int.class, byte[].class, int.class, byte[].class));
                h.mknod = l.findStatic(nd, "mknod", MethodType.methodType(void.class, path, int.class, long.class))
                        .asType(MethodType.methodType(void.class, Path.class, int.class, long.class));
                MethodHandles.Lookup le = MethodHandles.privateLookupIn(h.unixException, MethodHandles.lookup());
                h.errno = le.findVirtual(h.unixException, "errno", MethodType.methodType(int.class))
                        .asType(MethodType.methodType(int.class, Throwable.class));
                int jdkNoFollow = (int) MethodHandles.privateLookupIn(Class.forName("sun.nio.fs.UnixConstants"),
                        MethodHandles.lookup()).findStaticGetter(Class.forName("sun.nio.fs.UnixConstants"),
                        "O_NOFOLLOW", int.class).invoke();
                if (jdkNoFollow != O_NOFOLLOW) {
                    throw new IllegalStateException("this architecture (" + System.getProperty("os.arch")
                            + ") uses other open(2) flag values than the mirror receiver knows");
                }
            } catch (Throwable e) {
                h.failure = new IllegalStateException("cannot reach the JDK's descriptor-relative file calls in "
                        + "sun.nio.fs; run the JVM with --add-opens java.base/sun.nio.fs=ALL-UNNAMED (cause: " + e + ")", e);
            }
            return h;
        }
    }

    // ---- calls on a descriptor the receiver opened for writing (owner, mode, times without a path) ----------

    /** Whether {@link #fchown}, {@link #fchmod} and {@link #futimens} can be reached in this JDK. */
    static boolean descriptorCallsAvailable() {
        return DescriptorHandles.INSTANCE.failure == null;
    }

    /** fchown(2) on {@code fd}, which must be open for reading or writing (not O_PATH). */
    static void fchown(int fd, int uid, int gid, String shown) throws IOException {
        try {
            descriptorHandles().fchown.invokeExact(fd, uid, gid);
        } catch (Throwable t) {
            throw translate(t, shown);
        }
    }

    /** fchmod(2) on {@code fd}, which must be open for reading or writing (not O_PATH). */
    static void fchmod(int fd, int mode, String shown) throws IOException {
        try {
            descriptorHandles().fchmod.invokeExact(fd, mode);
        } catch (Throwable t) {
            throw translate(t, shown);
        }
    }

    /**
     * futimens(2) on {@code fd} with nanosecond times; a time before 1970 must be whole seconds (the JDK splits it
     * with a truncating division).
     */
    static void futimens(int fd, long atimeNanos, long mtimeNanos, String shown) throws IOException {
        try {
            descriptorHandles().futimens.invokeExact(fd, atimeNanos, mtimeNanos);
        } catch (Throwable t) {
            throw translate(t, shown);
        }
    }

    private static DescriptorHandles descriptorHandles() {
        DescriptorHandles h = DescriptorHandles.INSTANCE;
        if (h.failure != null) {
            throw h.failure;
        }
        return h;
    }

    /** Method handles for fchown, fchmod and futimens in sun.nio.fs, resolved on first use. */
    private static final class DescriptorHandles {
        static final DescriptorHandles INSTANCE = load();
        RuntimeException failure;
        MethodHandle fchown;
        MethodHandle fchmod;
        MethodHandle futimens;

        static DescriptorHandles load() {
            DescriptorHandles h = new DescriptorHandles();
            try {
                Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(nd, MethodHandles.lookup());
                h.fchown = l.findStatic(nd, "fchown", MethodType.methodType(void.class, int.class, int.class, int.class));
                h.fchmod = l.findStatic(nd, "fchmod", MethodType.methodType(void.class, int.class, int.class));
                h.futimens = l.findStatic(nd, "futimens", MethodType.methodType(void.class, int.class, long.class, long.class));
                boolean supported = (boolean) l.findStatic(nd, "futimensSupported", MethodType.methodType(boolean.class))
                        .invokeExact();
                if (!supported) {
                    throw new IllegalStateException("this JDK was built without futimens");
                }
            } catch (Throwable e) {
                h.failure = new IllegalStateException("cannot reach the JDK's fchown, fchmod and futimens in sun.nio.fs"
                        + " (cause: " + e + ")", e);
            }
            return h;
        }
    }
}

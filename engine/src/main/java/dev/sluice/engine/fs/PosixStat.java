package dev.sluice.engine.fs;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * The result of one {@code lstat}, {@code fstat} or {@code fstatat} call: every field a backup or a mirror records,
 * times in nanoseconds since the epoch.
 *
 * <p>The calls go through the JDK's own {@code sun.nio.fs} natives (the same ones {@code Files.readAttributes}
 * uses) and read the result's fields directly. That skips the attribute-name parsing and the map of boxed values
 * the public {@code "unix:*"} view builds on every call, which was most of the cost of walking a tree of small
 * files. Needs {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} (in the jar's manifest); without it every
 * call fails with an {@link IllegalStateException} saying so. Failures are reported as the JDK reports them
 * ({@code NoSuchFileException}, {@code AccessDeniedException}, …).
 *
 * @param mode the whole {@code st_mode}: kind bits and permission bits
 */
public record PosixStat(int mode, int uid, int gid, long size, long mtimeNanos, long atimeNanos, long ctimeNanos,
        long dev, long ino, long nlink, long rdev) {

    private static final int AT_SYMLINK_NOFOLLOW = 0x100;

    /** lstat(2): the entry itself, a final symlink not followed. */
    public static PosixStat lstat(Path path) throws IOException {
        Object attrs;
        try {
            attrs = (Object) Calls.LSTAT.invokeExact(path, false);
        } catch (Throwable t) {
            throw Calls.failure(t, path.toString());
        }
        return of(attrs);
    }

    /** fstat(2) of an open descriptor; {@code shown} names it in an error. */
    public static PosixStat fstat(int fd, String shown) throws IOException {
        Object attrs;
        try {
            attrs = (Object) Calls.FSTAT.invokeExact(fd);
        } catch (Throwable t) {
            throw Calls.failure(t, shown);
        }
        return of(attrs);
    }

    /**
     * fstatat(2) of {@code name} in the directory {@code dirFd}, a final symlink not followed; {@code shown} names
     * it in an error (built only then).
     */
    public static PosixStat lstatAt(int dirFd, byte[] name, Supplier<String> shown) throws IOException {
        Object attrs;
        try {
            attrs = (Object) Calls.NEW_ATTRS.invokeExact();
            Calls.FSTATAT.invokeExact(dirFd, name, AT_SYMLINK_NOFOLLOW, attrs);
        } catch (Throwable t) {
            throw Calls.failure(t, shown.get());
        }
        return of(attrs);
    }

    /** The kind of entry this is. */
    public FileKind kind() {
        return FileKind.fromMode(mode);
    }

    public boolean isDirectory() {
        return kind() == FileKind.DIRECTORY;
    }

    public boolean isRegular() {
        return kind() == FileKind.REGULAR;
    }

    public boolean isSymlink() {
        return kind() == FileKind.SYMLINK;
    }

    /** The permission bits (with set-uid, set-gid and sticky). */
    public int permissions() {
        return mode & 07777;
    }

    private static PosixStat of(Object a) {
        return new PosixStat((int) Calls.MODE.get(a), (int) Calls.UID.get(a), (int) Calls.GID.get(a),
                (long) Calls.SIZE.get(a),
                nanos((long) Calls.MTIME_SEC.get(a), (long) Calls.MTIME_NSEC.get(a)),
                nanos((long) Calls.ATIME_SEC.get(a), (long) Calls.ATIME_NSEC.get(a)),
                nanos((long) Calls.CTIME_SEC.get(a), (long) Calls.CTIME_NSEC.get(a)),
                (long) Calls.DEV.get(a), (long) Calls.INO.get(a), Integer.toUnsignedLong((int) Calls.NLINK.get(a)),
                (long) Calls.RDEV.get(a));
    }

    /** Seconds and nanoseconds as nanoseconds, saturated beyond ±292 years as {@code FileTime.to} does. */
    static long nanos(long seconds, long nanos) {
        long high = Math.multiplyHigh(seconds, 1_000_000_000L);
        long low = seconds * 1_000_000_000L;
        if ((high != 0 || low < 0) && (high != -1 || low >= 0)) {
            return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        long sum = low + nanos;
        if (((low ^ sum) & (nanos ^ sum)) < 0) {
            return seconds < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        return sum;
    }

    /** Handles into sun.nio.fs, resolved once into constants the JIT can inline. */
    static final class Calls {
        static final MethodHandle LSTAT;
        static final MethodHandle FSTAT;
        static final MethodHandle FSTATAT;
        static final MethodHandle NEW_ATTRS;
        static final MethodHandle TRANSLATE;
        static final Class<?> UNIX_EXCEPTION;
        static final VarHandle MODE;
        static final VarHandle UID;
        static final VarHandle GID;
        static final VarHandle SIZE;
        static final VarHandle MTIME_SEC;
        static final VarHandle MTIME_NSEC;
        static final VarHandle ATIME_SEC;
        static final VarHandle ATIME_NSEC;
        static final VarHandle CTIME_SEC;
        static final VarHandle CTIME_NSEC;
        static final VarHandle DEV;
        static final VarHandle INO;
        static final VarHandle NLINK;
        static final VarHandle RDEV;
        static final IllegalStateException UNAVAILABLE;

        static {
            MethodHandle lstat = null;
            MethodHandle fstat = null;
            MethodHandle fstatat = null;
            MethodHandle newAttrs = null;
            MethodHandle translate = null;
            Class<?> unixException = null;
            VarHandle[] f = new VarHandle[14];
            IllegalStateException unavailable = null;
            try {
                Class<?> attrs = Class.forName("sun.nio.fs.UnixFileAttributes");
                Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
                Class<?> dispatcher = Class.forName("sun.nio.fs.UnixNativeDispatcher");
                unixException = Class.forName("sun.nio.fs.UnixException");
                MethodHandles.Lookup la = MethodHandles.privateLookupIn(attrs, MethodHandles.lookup());
                lstat = la.findStatic(attrs, "get", MethodType.methodType(attrs, unixPath, boolean.class))
                        .asType(MethodType.methodType(Object.class, Path.class, boolean.class));
                fstat = la.findStatic(attrs, "get", MethodType.methodType(attrs, int.class))
                        .asType(MethodType.methodType(Object.class, int.class));
                newAttrs = la.findConstructor(attrs, MethodType.methodType(void.class))
                        .asType(MethodType.methodType(Object.class));
                fstatat = MethodHandles.privateLookupIn(dispatcher, MethodHandles.lookup())
                        .findStatic(dispatcher, "fstatat", MethodType.methodType(void.class, int.class, byte[].class,
                                int.class, attrs))
                        .asType(MethodType.methodType(void.class, int.class, byte[].class, int.class, Object.class));
                translate = MethodHandles.privateLookupIn(unixException, MethodHandles.lookup())
                        .findVirtual(unixException, "translateToIOException", MethodType.methodType(IOException.class,
                                String.class, String.class))
                        .asType(MethodType.methodType(IOException.class, Throwable.class, String.class, String.class));
                String[] names = {"st_mode", "st_uid", "st_gid", "st_size", "st_mtime_sec", "st_mtime_nsec",
                    "st_atime_sec", "st_atime_nsec", "st_ctime_sec", "st_ctime_nsec", "st_dev", "st_ino", "st_nlink",
                    "st_rdev"};
                Class<?>[] types = {int.class, int.class, int.class, long.class, long.class, long.class, long.class,
                    long.class, long.class, long.class, long.class, long.class, int.class, long.class};
                for (int i = 0; i < names.length; i++) {
                    f[i] = la.findVarHandle(attrs, names[i], types[i]);
                }
            } catch (ReflectiveOperationException | RuntimeException e) {
                unavailable = new IllegalStateException("cannot reach the JDK's stat calls in sun.nio.fs; run the JVM"
                        + " with --add-opens java.base/sun.nio.fs=ALL-UNNAMED (cause: " + e + ")", e);
            }
            LSTAT = lstat;
            FSTAT = fstat;
            FSTATAT = fstatat;
            NEW_ATTRS = newAttrs;
            TRANSLATE = translate;
            UNIX_EXCEPTION = unixException;
            UNAVAILABLE = unavailable;
            MODE = f[0];
            UID = f[1];
            GID = f[2];
            SIZE = f[3];
            MTIME_SEC = f[4];
            MTIME_NSEC = f[5];
            ATIME_SEC = f[6];
            ATIME_NSEC = f[7];
            CTIME_SEC = f[8];
            CTIME_NSEC = f[9];
            DEV = f[10];
            INO = f[11];
            NLINK = f[12];
            RDEV = f[13];
        }

        /** The IOException the JDK would throw for {@code t} (a sun.nio.fs.UnixException) on {@code shown}. */
        static IOException failure(Throwable t, String shown) {
            if (UNAVAILABLE != null) {
                throw UNAVAILABLE;
            }
            if (t instanceof RuntimeException r) {
                throw r;
            }
            if (t instanceof Error e) {
                throw e;
            }
            if (t instanceof IOException io) {
                return io;
            }
            if (UNIX_EXCEPTION.isInstance(t)) {
                try {
                    return (IOException) TRANSLATE.invokeExact(t, shown, (String) null);
                } catch (Throwable inner) {
                    return new IOException("stat of " + shown + " failed: " + t.getMessage(), t);
                }
            }
            return new IOException("stat of " + shown + " failed", t);
        }
    }
}

package dev.sluice.engine.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;

/**
 * Converts between file paths and their raw bytes without ever decoding a name through the
 * locale's charset, so names that are not valid UTF-8 (or contain newlines) survive intact.
 *
 * <p>The JDK's Unix {@code Path} implementation ({@code sun.nio.fs.UnixPath}) stores the raw
 * bytes of a path; this class reaches its byte constructor and {@code asByteArray()} through
 * method handles. That needs {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} on the
 * command line (or {@code Add-Opens: java.base/sun.nio.fs} in an executable jar's manifest);
 * without it every method fails with an {@link IllegalStateException} saying so. Paths returned
 * by directory listings already carry raw bytes, so a name read from disk never needs to pass
 * through a {@code String}.
 */
public final class RawPath {

    private RawPath() {
    }

    /**
     * Returns the path whose bytes are {@code path}. Repeated slashes are collapsed and a
     * trailing slash is dropped (as the JDK does for string paths); the bytes are otherwise
     * kept as they are.
     *
     * @throws IllegalArgumentException if the path is empty or contains a NUL byte
     */
    public static Path of(byte[] path) {
        if (path.length == 0) {
            throw new IllegalArgumentException("a raw path must not be empty");
        }
        byte[] normal = new byte[path.length];
        int n = 0;
        for (int i = 0; i < path.length; i++) {
            byte b = path[i];
            if (b == 0) {
                throw new IllegalArgumentException("raw path " + escape(path) + " contains a NUL byte at offset " + i);
            }
            if (b == '/' && n > 0 && normal[n - 1] == '/') {
                continue;
            }
            normal[n++] = b;
        }
        if (n > 1 && normal[n - 1] == '/') {
            n--;
        }
        byte[] exact = n == normal.length ? normal : java.util.Arrays.copyOf(normal, n);
        return Handles.get().create(exact);
    }

    /**
     * Returns a path holding exactly {@code target}, without any normalization, for use only as
     * the target of {@link java.nio.file.Files#createSymbolicLink}: a symlink's target is stored
     * byte for byte ("a//b/" stays "a//b/"), so it must not be normalized like a path.
     *
     * @throws IllegalArgumentException if the target is empty or contains a NUL byte
     */
    public static Path linkTarget(byte[] target) {
        if (target.length == 0) {
            throw new IllegalArgumentException("a symlink target must not be empty");
        }
        for (byte b : target) {
            if (b == 0) {
                throw new IllegalArgumentException("symlink target " + escape(target) + " contains a NUL byte");
            }
        }
        return Handles.get().create(target.clone());
    }

    /** Returns a copy of the raw bytes of {@code p}, exactly as the file system sees them. */
    public static byte[] bytes(Path p) {
        return Handles.get().bytes(p);
    }

    /**
     * Returns {@code dir} with the single name {@code name} appended.
     *
     * @throws IllegalArgumentException if {@code name} is empty, ".", "..", or contains '/' or NUL
     */
    public static Path resolve(Path dir, byte[] name) {
        checkName(name);
        return dir.resolve(Handles.get().create(name.clone()));
    }

    /**
     * Returns the raw bytes of the last name of {@code p}.
     *
     * @throws IllegalArgumentException if the path has no name (the root "/")
     */
    public static byte[] fileName(Path p) {
        Path name = p.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("path " + p + " has no file name");
        }
        return bytes(name);
    }

    /**
     * Checks that {@code name} is a single, proper directory entry name.
     *
     * @throws IllegalArgumentException if it is empty, ".", "..", or contains '/' or NUL
     */
    public static void checkName(byte[] name) {
        if (name.length == 0) {
            throw new IllegalArgumentException("a file name must not be empty");
        }
        if ((name.length == 1 && name[0] == '.') || (name.length == 2 && name[0] == '.' && name[1] == '.')) {
            throw new IllegalArgumentException("a file name must not be " + escape(name));
        }
        for (byte b : name) {
            if (b == '/' || b == 0) {
                throw new IllegalArgumentException("file name " + escape(name) + " contains '/' or a NUL byte");
            }
        }
    }

    /**
     * Renders raw bytes for humans: printable ASCII as is, backslash as {@code \\}, every other
     * byte as {@code \xHH}. Used in error messages; never parse it back.
     */
    public static String escape(byte[] raw) {
        StringBuilder sb = new StringBuilder(raw.length + 8);
        for (byte b : raw) {
            int u = b & 0xff;
            if (u == '\\') {
                sb.append("\\\\");
            } else if (u >= 0x20 && u < 0x7f) {
                sb.append((char) u);
            } else {
                sb.append(String.format("\\x%02x", u));
            }
        }
        return sb.toString();
    }

    /** Renders a path with {@link #escape(byte[])}. */
    public static String escape(Path p) {
        return escape(bytes(p));
    }

    /** The reflective access to UnixPath, resolved once per class loader. */
    private static final class Handles {
        private static final Handles INSTANCE_OR_NULL;
        private static final RuntimeException FAILURE;

        static {
            Handles h = null;
            RuntimeException failure = null;
            try {
                h = new Handles();
            } catch (ReflectiveOperationException | RuntimeException e) {
                failure = new IllegalStateException(
                        "cannot reach raw file name bytes in the JDK's sun.nio.fs.UnixPath; run the JVM with "
                                + "--add-opens java.base/sun.nio.fs=ALL-UNNAMED (cause: " + e + ")", e);
            }
            INSTANCE_OR_NULL = h;
            FAILURE = failure;
        }

        private final FileSystem fs;
        private final MethodHandle constructor;
        private final MethodHandle asByteArray;
        private final Class<?> pathClass;

        private Handles() throws ReflectiveOperationException {
            fs = FileSystems.getDefault();
            pathClass = Class.forName("sun.nio.fs.UnixPath");
            Class<?> fsClass = Class.forName("sun.nio.fs.UnixFileSystem");
            if (!fsClass.isInstance(fs)) {
                throw new IllegalStateException("the default file system is not a Unix file system: " + fs.getClass());
            }
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(pathClass, MethodHandles.lookup());
            constructor = lookup.findConstructor(pathClass, MethodType.methodType(void.class, fsClass, byte[].class));
            asByteArray = lookup.findVirtual(pathClass, "asByteArray", MethodType.methodType(byte[].class));
        }

        static Handles get() {
            if (FAILURE != null) {
                throw FAILURE;
            }
            return INSTANCE_OR_NULL;
        }

        Path create(byte[] raw) {
            try {
                return (Path) constructor.invoke(fs, raw);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("creating a raw path failed", t);
            }
        }

        byte[] bytes(Path p) {
            if (!pathClass.isInstance(p)) {
                throw new IllegalArgumentException("path " + p + " is not on the default Unix file system");
            }
            try {
                return ((byte[]) asByteArray.invoke(p)).clone();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException("reading raw path bytes failed", t);
            }
        }
    }
}

package dev.sluice.engine.fs;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.FileChannel;
import java.util.function.Function;

/**
 * Closing a raw file descriptor that the JDK's {@code sun.nio.fs} natives opened (through {@link OpenDirectory} or
 * the mirror receiver's descriptor calls): {@code close(int)} on JDK 17, {@code close(int, Function)} from JDK 21 on;
 * and a {@link FileChannel} that takes such a descriptor over.
 */
public final class RawDescriptor {
    private static final MethodHandle CLOSE = closeHandle();
    private static final MethodHandle WRAP = wrapHandle();

    private RawDescriptor() {
    }

    /** Closes {@code fd}; a failure (only a bad descriptor can fail) is a bug, reported unchecked. */
    public static void close(int fd) {
        try {
            CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("closing file descriptor " + fd + " failed", t);
        }
    }

    /**
     * A channel that takes {@code fd} over: it reads, or writes ({@code writable}: positional writes, transfers and
     * truncation) the open file itself, and closing it closes the descriptor, which must then not be closed again.
     * The file is not opened a second time through {@code /proc/self/fd/N}, a path lookup and a descriptor per file.
     * Needs {@code --add-opens java.base/java.io=ALL-UNNAMED} (in the JAR's manifest).
     */
    public static FileChannel channel(int fd, boolean writable) {
        FileDescriptor d;
        try {
            d = (FileDescriptor) WRAP.invokeExact(fd);
        } catch (Throwable t) {
            throw t instanceof IllegalStateException e ? e
                    : new IllegalStateException("wrapping file descriptor " + fd + " failed", t);
        }
        return writable ? new FileOutputStream(d).getChannel() : new FileInputStream(d).getChannel();
    }

    private static MethodHandle wrapHandle() {
        try {
            return MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                    .findConstructor(FileDescriptor.class, MethodType.methodType(void.class, int.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            return MethodHandles.dropArguments(MethodHandles.throwException(FileDescriptor.class,
                    IllegalStateException.class).bindTo(new IllegalStateException("cannot make a FileDescriptor for a"
                    + " raw descriptor; run the JVM with --add-opens java.base/java.io=ALL-UNNAMED (cause: " + e + ")",
                    e)), 0, int.class);
        }
    }

    private static MethodHandle closeHandle() {
        try {
            Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
            MethodHandles.Lookup l = MethodHandles.privateLookupIn(nd, MethodHandles.lookup());
            try {
                return l.findStatic(nd, "close", MethodType.methodType(void.class, int.class));
            } catch (NoSuchMethodException e) {
                MethodHandle withMapper = l.findStatic(nd, "close",
                        MethodType.methodType(void.class, int.class, Function.class));
                Function<Object, RuntimeException> mapper =
                        x -> new IllegalStateException("closing a file descriptor failed: " + x);
                return MethodHandles.insertArguments(withMapper, 1, mapper);
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // every close then fails with the cause, which names the missing --add-opens
            return MethodHandles.dropArguments(MethodHandles.throwException(void.class, IllegalStateException.class)
                    .bindTo(new IllegalStateException("cannot reach the JDK's close in sun.nio.fs; run the JVM with"
                            + " --add-opens java.base/sun.nio.fs=ALL-UNNAMED (cause: " + e + ")", e)), 0, int.class);
        }
    }
}

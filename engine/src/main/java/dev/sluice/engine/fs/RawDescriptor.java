package dev.sluice.engine.fs;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Function;

/**
 * Closing a raw file descriptor that the JDK's {@code sun.nio.fs} natives opened (through {@link OpenDirectory} or
 * the mirror receiver's descriptor calls): {@code close(int)} on JDK 17, {@code close(int, Function)} from JDK 21 on.
 */
public final class RawDescriptor {
    private static final MethodHandle CLOSE = closeHandle();

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

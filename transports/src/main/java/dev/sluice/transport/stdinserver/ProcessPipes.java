package dev.sluice.transport.stdinserver;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Another process's stdin or stdout, opened again through {@code /proc/PID/fd/N} as a raw descriptor that the caller
 * owns, so that the pipe can be spliced in the kernel ({@code PipeLinks.open(FileDescriptor, …)}) instead of being
 * copied through the JVM by relay threads. Opening a pipe there gives a new open file description of the same pipe,
 * like opening a FIFO: it is opened non-blocking (a read end then opens even when the writer has gone, and a write
 * end without a reader fails at once), close-on-exec and without becoming a controlling terminal.
 *
 * <p>The JDK opens a path to a descriptor number only inside {@code sun.nio.fs}; the call is reached through a method
 * handle and needs {@code --add-opens java.base/sun.nio.fs=ALL-UNNAMED} (in the JAR's manifest). Without it every
 * open fails with an error that names the option.
 */
final class ProcessPipes {

    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_NOCTTY = 0400;
    private static final int O_NONBLOCK = 04000;
    private static final int O_CLOEXEC = 02000000;
    private static final Opener OPEN = Opener.load();

    private ProcessPipes() {
    }

    /**
     * Opens descriptor {@code fd} of process {@code pid} (0 for reading, 1 for writing) if it is a pipe; the result
     * names the same pipe as the process's descriptor did when it was looked at.
     */
    static FileDescriptor open(long pid, int fd) throws IOException {
        Path link = Path.of("/proc/" + pid + "/fd/" + fd);
        String pipe = pipeName(link, pid, fd);
        // O_NOCTTY: should the descriptor have been swapped for a terminal after the check, it never becomes ours
        int raw = OPEN.open(link, (fd == 0 ? O_RDONLY : O_WRONLY) | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
        FileDescriptor opened = new FileDescriptor(raw);
        try {
            String now = Files.readSymbolicLink(Path.of("/proc/self/fd/" + raw)).toString();
            if (!now.equals(pipe)) {
                throw new IOException("descriptor " + fd + " of process " + pid + " changed while it was opened ("
                        + pipe + ", then " + StdinRequests.printable(now) + ")");
            }
        } catch (IOException | RuntimeException e) {
            opened.close();
            throw e;
        }
        return opened;
    }

    /** The target {@code pipe:[INODE]} of {@code link} (descriptor {@code fd} of {@code pid}); else an error. */
    private static String pipeName(Path link, long pid, int fd) throws IOException {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (NoSuchFileException gone) {
            throw new IOException("process " + pid + " has no descriptor " + fd + " (it ended?)", gone);
        }
        if (!target.startsWith("pipe:")) {
            throw new IOException((fd == 0 ? "its stdin" : "its stdout") + " is " + StdinRequests.printable(target)
                    + ", not a pipe (run it as an ssh forced command)");
        }
        return target;
    }

    /** {@code sun.nio.fs.UnixNativeDispatcher.open(UnixPath, flags, mode)}, or the reason it cannot be reached. */
    private static final class Opener {
        private final MethodHandle open;
        private final Class<?> unixException;
        private final RuntimeException failure;

        private Opener(MethodHandle open, Class<?> unixException, RuntimeException failure) {
            this.open = open;
            this.unixException = unixException;
            this.failure = failure;
        }

        static Opener load() {
            try {
                Class<?> nd = Class.forName("sun.nio.fs.UnixNativeDispatcher");
                Class<?> unixPath = Class.forName("sun.nio.fs.UnixPath");
                MethodHandle h = MethodHandles.privateLookupIn(nd, MethodHandles.lookup())
                        .findStatic(nd, "open", MethodType.methodType(int.class, unixPath, int.class, int.class))
                        .asType(MethodType.methodType(int.class, Path.class, int.class, int.class));
                return new Opener(h, Class.forName("sun.nio.fs.UnixException"), null);
            } catch (ReflectiveOperationException | RuntimeException e) {
                return new Opener(null, null, new IllegalStateException("cannot reach the JDK's open(2) in"
                        + " sun.nio.fs; run the JVM with --add-opens java.base/sun.nio.fs=ALL-UNNAMED (cause: " + e
                        + ")", e));
            }
        }

        int open(Path path, int flags) throws IOException {
            if (failure != null) {
                throw new IOException(failure.getMessage(), failure);
            }
            try {
                return (int) open.invokeExact(path, flags, 0);
            } catch (Throwable t) {
                if (unixException.isInstance(t)) {
                    // UnixException carries errno and its text; its message is that text
                    throw new IOException("cannot open " + path + ": " + t.getMessage(), t);
                }
                if (t instanceof RuntimeException r) {
                    throw r;
                }
                if (t instanceof Error err) {
                    throw err;
                }
                throw new IOException("cannot open " + path + ": " + t, t);
            }
        }
    }
}

package dev.sluice.transport.pipe;

import io.netty.channel.unix.FileDescriptor;
import java.io.File;
import java.io.IOException;
import java.util.Optional;

/**
 * The stdin and stdout pipes of a child process, made here rather than by {@link ProcessBuilder}: the child gets its
 * ends through redirects of {@code /proc/self/fd/N} (the JDK opens them before it starts the child), and this
 * process keeps native descriptors for the other ends, which the {@link Splicer} can move bytes through. A
 * {@link Process} started this way has no streams of its own for stdin and stdout.
 */
public final class ChildPipes {

    private static final System.Logger LOG = System.getLogger(ChildPipes.class.getName());

    private final FileDescriptor toChild;
    private final FileDescriptor childStdin;
    private final FileDescriptor fromChild;
    private final FileDescriptor childStdout;

    private ChildPipes(FileDescriptor[] in, FileDescriptor[] out) {
        this.childStdin = in[0];
        this.toChild = in[1];
        this.fromChild = out[0];
        this.childStdout = out[1];
    }

    /**
     * Makes the two pipes and points {@code pb}'s stdin and stdout at them. Empty (and {@code pb} untouched) when
     * that is not possible here (no native transport, no {@code /proc}).
     */
    public static Optional<ChildPipes> redirect(ProcessBuilder pb) {
        FileDescriptor[] in;
        try {
            in = FileDescriptor.pipe();
        } catch (IOException | LinkageError e) {
            LOG.log(System.Logger.Level.DEBUG, "no native pipes for a child: {0}", e.toString());
            return Optional.empty();
        }
        FileDescriptor[] out;
        try {
            out = FileDescriptor.pipe();
        } catch (IOException e) {
            closeAll(in[0], in[1]);
            return Optional.empty();
        }
        ChildPipes c = new ChildPipes(in, out);
        File stdin = proc(c.childStdin);
        File stdout = proc(c.childStdout);
        if (!stdin.exists() || !stdout.exists()) {
            c.abandon();
            return Optional.empty();
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(stdin));
        pb.redirectOutput(ProcessBuilder.Redirect.to(stdout));
        return Optional.of(c);
    }

    private static File proc(FileDescriptor fd) {
        return new File("/proc/self/fd/" + fd.intValue());
    }

    /** The child has started with its own copies of its ends: close ours, so that each pipe's end is seen. */
    public void started() {
        closeAll(childStdin, childStdout);
    }

    /** The child did not start: close all four descriptors. */
    public void abandon() {
        closeAll(childStdin, toChild, fromChild, childStdout);
    }

    /** The write end of the child's stdin. */
    public FileDescriptor toChild() {
        return toChild;
    }

    /** The read end of the child's stdout. */
    public FileDescriptor fromChild() {
        return fromChild;
    }

    private static void closeAll(FileDescriptor... fds) {
        for (FileDescriptor fd : fds) {
            try {
                fd.close();
            } catch (IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "closing pipe descriptor {0} failed: {1}", fd, e.getMessage());
            }
        }
    }
}

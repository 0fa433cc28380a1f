package dev.sluice.transport.pipe;

import io.netty.channel.unix.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Blocking byte channels over raw file descriptors (pipes or sockets received by SCM_RIGHTS or
 * inherited), each owning its descriptor and closing it when closed.
 *
 * <p>A pipe is reopened through {@code /proc/self/fd/N}: that gives a new open file description of
 * the same pipe with its own flags, so reads and writes block and wake up as soon as the other end
 * moves, even when the descriptor received is non-blocking (sshd hands its forced command pipes that
 * way), and a {@link FileChannel} reads into and writes from direct buffers with no copy in the JVM.
 * Anything that cannot be reopened so (a socket) is used as it is: a non-blocking one that is
 * not ready is retried after a short, growing pause. Sleeping on a pipe that sshd fills 64 KiB at a
 * time held a first mirror over ssh at less than half of the link's speed.
 */
public final class FdStreams {

    private static final int BUFFER = 64 * 1024;

    private FdStreams() {
    }

    /** A channel reading {@code fd}; closing it closes the descriptor. */
    public static ReadableByteChannel readable(FileDescriptor fd) {
        try {
            return new Reopened(new FileInputStream(procPath(fd)).getChannel(), fd);
        } catch (IOException notAPipe) {
            return new Raw(fd);
        }
    }

    /** A channel writing {@code fd}; closing it closes the descriptor. */
    public static WritableByteChannel writable(FileDescriptor fd) {
        try {
            return new Reopened(new FileOutputStream(procPath(fd)).getChannel(), fd);
        } catch (IOException notAPipe) {
            return new Raw(fd);
        }
    }

    /** Whether {@code fd} is a pipe (as far as {@code /proc/self/fd} tells). */
    public static boolean isPipe(FileDescriptor fd) {
        try {
            procPath(fd);
            return true;
        } catch (IOException notAPipe) {
            return false;
        }
    }

    /** {@code /proc/self/fd/N} when {@code fd} is a pipe (a FIFO can be opened again there); else an error. */
    private static String procPath(FileDescriptor fd) throws IOException {
        return pipe("/proc/self/fd/" + fd.intValue());
    }

    /** {@code path}, a {@code /proc/PID/fd/N} link, when it names a pipe; else an error. */
    private static String pipe(String path) throws IOException {
        String target = Files.readSymbolicLink(Path.of(path)).toString();
        if (!target.startsWith("pipe:")) {
            throw new IOException(path + " is " + target + ", not a pipe");
        }
        return path;
    }

    /** Waits a moment (1 ms, doubling to 16 ms while nothing moves) for a non-blocking descriptor. */
    private static int backOff(FileDescriptor fd, int millis) throws IOException {
        try {
            Thread.sleep(millis);
            return Math.min(millis * 2, 16);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted waiting for file descriptor " + fd.intValue());
        }
    }

    /** A pipe reopened as a file channel; closing closes both the reopened and the received descriptor. */
    private static final class Reopened implements ReadableByteChannel, WritableByteChannel {
        private final FileChannel channel;
        private final FileDescriptor fd;

        Reopened(FileChannel channel, FileDescriptor fd) {
            this.channel = channel;
            this.fd = fd;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return channel.read(dst);
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return channel.write(src);
        }

        @Override
        public boolean isOpen() {
            return channel.isOpen();
        }

        @Override
        public void close() throws IOException {
            try {
                channel.close();
            } finally {
                fd.close();
            }
        }
    }

    /** A descriptor used as it is (a socket, perhaps non-blocking): a call that moves nothing is retried later. */
    private static final class Raw implements ReadableByteChannel, WritableByteChannel {
        private final FileDescriptor fd;
        private final ByteBuffer scratch = ByteBuffer.allocateDirect(BUFFER);

        Raw(FileDescriptor fd) {
            this.fd = fd;
        }

        @Override
        public synchronized int read(ByteBuffer dst) throws IOException {
            if (!dst.hasRemaining()) {
                return 0;
            }
            ByteBuffer into = dst.isDirect() ? dst : scratch.clear().limit(Math.min(dst.remaining(), BUFFER));
            int n;
            int wait = 1;
            while ((n = fd.read(into, into.position(), into.limit())) == 0) {
                wait = backOff(fd, wait);
            }
            if (n < 0) {
                return -1;
            }
            if (into == dst) {
                dst.position(dst.position() + n);
            } else {
                dst.put(scratch.limit(n).position(0));
            }
            return n;
        }

        @Override
        public synchronized int write(ByteBuffer src) throws IOException {
            int total = 0;
            while (src.hasRemaining()) {
                ByteBuffer from = src;
                if (!src.isDirect()) {
                    int n = Math.min(src.remaining(), BUFFER);
                    from = scratch.clear().put(src.slice().limit(n)).flip();
                }
                int wait = 1;
                int n;
                while ((n = fd.write(from, from.position(), from.limit())) == 0) {
                    wait = backOff(fd, wait);
                }
                src.position(src.position() + n);
                total += n;
            }
            return total;
        }

        @Override
        public boolean isOpen() {
            return fd.isOpen();
        }

        @Override
        public void close() throws IOException {
            fd.close();
        }
    }
}

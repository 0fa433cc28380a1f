package dev.sluice.transport.pipe;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Blocking streams over raw file descriptors (pipes or sockets received by SCM_RIGHTS or
 * inherited), each owning its descriptor and closing it when closed.
 *
 * <p>A pipe is reopened through {@code /proc/self/fd/N}: that gives a new open file description of
 * the same pipe with its own flags, so reads and writes block and wake up as soon as the other end
 * moves, even when the descriptor received is non-blocking (sshd hands its forced command pipes that
 * way). Anything that cannot be reopened so (a socket) is used as it is: a non-blocking one that is
 * not ready is retried after a short, growing pause. Sleeping on a pipe that sshd fills 64 KiB at a
 * time held a first mirror over ssh at less than half of the link's speed.
 */
public final class FdStreams {

    private static final int BUFFER = 64 * 1024;

    private FdStreams() {
    }

    /** An input stream reading {@code fd}; closing it closes the descriptor. */
    public static InputStream input(FileDescriptor fd) {
        try {
            InputStream reopened = new java.io.FileInputStream(procPath(fd));
            return new java.io.FilterInputStream(reopened) {
                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    return in.read(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    try {
                        in.close();
                    } finally {
                        fd.close();
                    }
                }
            };
        } catch (IOException notAPipe) {
            return new In(fd);
        }
    }

    /** An output stream writing {@code fd}; closing it closes the descriptor. */
    public static OutputStream output(FileDescriptor fd) {
        try {
            OutputStream reopened = new java.io.FileOutputStream(procPath(fd));
            return new java.io.FilterOutputStream(reopened) {
                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    out.write(b, off, len);
                }

                @Override
                public void close() throws IOException {
                    try {
                        out.close();
                    } finally {
                        fd.close();
                    }
                }
            };
        } catch (IOException notAPipe) {
            return new Out(fd);
        }
    }

    /** {@code /proc/self/fd/N} when {@code fd} is a pipe (a FIFO can be opened again there); else an error. */
    private static String procPath(FileDescriptor fd) throws IOException {
        String path = "/proc/self/fd/" + fd.intValue();
        String target = java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of(path)).toString();
        if (!target.startsWith("pipe:")) {
            throw new IOException("descriptor " + fd.intValue() + " is " + target + ", not a pipe");
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

    private static final class In extends InputStream {
        private final FileDescriptor fd;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);

        In(FileDescriptor fd) {
            this.fd = fd;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            int wait = 1;
            while ((n = fd.read(buf, 0, Math.min(len, buf.capacity()))) == 0) {
                wait = backOff(fd, wait);
            }
            if (n < 0) {
                return -1;
            }
            buf.clear();
            buf.get(b, off, n);
            buf.clear();
            return n;
        }

        @Override
        public void close() throws IOException {
            fd.close();
        }
    }

    private static final class Out extends OutputStream {
        private final FileDescriptor fd;
        private final ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);

        Out(FileDescriptor fd) {
            this.fd = fd;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) throws IOException {
            while (len > 0) {
                int chunk = Math.min(len, buf.capacity());
                buf.clear();
                buf.put(b, off, chunk);
                int pos = 0;
                int wait = 1;
                while (pos < chunk) {
                    int n = fd.write(buf, pos, chunk);
                    if (n == 0) {
                        wait = backOff(fd, wait);
                    }
                    pos += n;
                }
                off += chunk;
                len -= chunk;
            }
        }

        @Override
        public void close() throws IOException {
            fd.close();
        }
    }
}

package dev.sluice.transport.pipe;

import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;

/**
 * Blocking streams over raw file descriptors (pipes or sockets received by SCM_RIGHTS or
 * inherited), each owning its descriptor and closing it when closed. Blocking descriptors
 * (what sshd gives a forced command) block; a non-blocking one that is not ready is retried
 * after a short, growing pause.
 */
public final class FdStreams {

    private static final int BUFFER = 64 * 1024;

    private FdStreams() {
    }

    /** An input stream reading {@code fd}; closing it closes the descriptor. */
    public static InputStream input(FileDescriptor fd) {
        return new In(fd);
    }

    /** An output stream writing {@code fd}; closing it closes the descriptor. */
    public static OutputStream output(FileDescriptor fd) {
        return new Out(fd);
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

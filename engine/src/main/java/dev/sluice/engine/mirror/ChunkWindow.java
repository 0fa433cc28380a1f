package dev.sluice.engine.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/**
 * A read-ahead window over one file that both ends of a mirror run chunk and hash in place: the bytes stay in one
 * array (refilled with reads of about 1 MiB), so no chunk is copied out before it is hashed, matched or sent.
 */
final class ChunkWindow {
    private static final int READ = 1 << 20;
    private static final int SMALLEST = 4096;

    private final ReadableByteChannel channel;
    private final String shown;
    private final byte[] buf;
    private final ByteBuffer view;
    private int start;
    private int end;
    private long offset;
    private boolean eof;

    /**
     * @param expectedSize the file's size as announced; a smaller file gets a buffer of its size (more input is
     *     still read, in pieces no larger than the buffer)
     * @param shown the file, for error messages
     */
    ChunkWindow(ReadableByteChannel channel, long expectedSize, String shown) {
        this.channel = channel;
        this.shown = shown;
        int max = MirrorChunking.PARAMS.max();
        long size = expectedSize >= 0 && expectedSize < max ? Math.max(expectedSize + 1, SMALLEST) : max + READ;
        this.buf = new byte[(int) size];
        this.view = ByteBuffer.wrap(buf);
    }

    /**
     * Makes up to {@code want} bytes available at {@link #start()} (fewer only at the end of the input or when the
     * buffer is smaller) and returns how many are.
     */
    int available(int want) throws IOException {
        if (end - start < want && !eof) {
            fill();
        }
        return end - start;
    }

    byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the first unconsumed byte. */
    int start() {
        return start;
    }

    /** File offset of the first unconsumed byte. */
    long offset() {
        return offset;
    }

    /** Consumes {@code n} available bytes. */
    void advance(int n) {
        if (n < 0 || n > end - start) {
            throw new IllegalArgumentException("cannot consume " + n + " of " + (end - start) + " available bytes");
        }
        start += n;
        offset += n;
    }

    private void fill() throws IOException {
        int remaining = end - start;
        if (remaining > 0 && start > 0) {
            System.arraycopy(buf, start, buf, 0, remaining);
        }
        start = 0;
        end = remaining;
        view.clear().position(end);
        try {
            while (view.hasRemaining()) {
                if (channel.read(view) < 0) {
                    eof = true;
                    break;
                }
            }
        } catch (IOException e) {
            throw new IOException("reading " + shown + " at offset " + (offset + view.position() - start) + " failed: "
                    + e.getMessage(), e);
        }
        end = view.position();
    }
}

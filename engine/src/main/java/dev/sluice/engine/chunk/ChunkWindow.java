package dev.sluice.engine.chunk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Objects;

/**
 * A read-ahead window over one input that a chunker cuts in place: the bytes stay in one array, refilled (the
 * unread tail moved to the front) with reads of at least {@code readAhead} bytes, so a chunk need not be copied out
 * before it is cut, hashed or sent. {@link ChunkReader} copies each chunk out of one; the mirror's ends hash
 * chunks where they lie.
 */
public final class ChunkWindow {
    /** The smallest buffer, for empty and tiny inputs. */
    static final int SMALLEST = 4096;

    private final ReadableByteChannel channel;
    private final String shown;
    private final byte[] buf;
    private final ByteBuffer view;
    private int start;
    private int end;
    private long offset;
    private boolean eof;

    /**
     * @param max the chunker's largest chunk: a window offers at least that much while the input lasts
     * @param readAhead bytes the buffer holds beyond {@code max}, so each refill reads at least that many
     * @param expectedSize the input's size as announced; one smaller than {@code max} gets a buffer of its size
     *     (more input is still read, in pieces no larger than the buffer): a small file must not cost a zeroed
     *     buffer of several MiB
     * @param shown the input, for error messages (null: a read error names only the offset)
     * @throws IllegalArgumentException if {@code max + readAhead} does not fit one array
     */
    public ChunkWindow(ReadableByteChannel channel, int max, int readAhead, long expectedSize, String shown) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.shown = shown;
        long size = (long) max + readAhead;
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("chunker max size " + max + " is too large for one read buffer");
        }
        if (expectedSize >= 0 && expectedSize < max) {
            size = Math.max(expectedSize + 1, SMALLEST);
        }
        this.buf = new byte[(int) size];
        this.view = ByteBuffer.wrap(buf);
    }

    /**
     * Makes up to {@code want} bytes available at {@link #start()} (fewer only at the end of the input or when the
     * buffer is smaller) and returns how many are.
     */
    public int available(int want) throws IOException {
        if (end - start < want && !eof) {
            fill();
        }
        return end - start;
    }

    /** Bytes available at {@link #start()} now, without reading. */
    public int buffered() {
        return end - start;
    }

    /** The buffer; the available bytes are at {@link #start()}. */
    public byte[] array() {
        return buf;
    }

    /** Index in {@link #array()} of the first unconsumed byte. */
    public int start() {
        return start;
    }

    /** File offset of the first unconsumed byte. */
    public long offset() {
        return offset;
    }

    /** Consumes {@code n} available bytes. */
    public void advance(int n) {
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
            throw new IOException("reading " + (shown == null ? "" : shown + " ") + "at offset "
                    + (offset + view.position() - start) + " failed: " + e.getMessage(), e);
        }
        end = view.position();
    }
}

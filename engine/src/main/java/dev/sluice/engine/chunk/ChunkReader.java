package dev.sluice.engine.chunk;

import dev.sluice.engine.buffer.ArrayPool;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.ReadableByteChannel;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Reads a channel (usually a {@code FileChannel} of one file) and yields its content-defined
 * chunks in order.
 *
 * <p>The reader keeps one heap buffer of {@code max + max(max, 1 MiB)} bytes and refills it
 * with reads of at least 1 MiB (or up to the end of the input), so the number of system
 * calls stays low. Each {@link Chunk} gets its own exact-length copy of the bytes. An empty
 * input yields no chunk; an input shorter than {@code min} yields one chunk.
 *
 * <p>Not thread-safe: one reader belongs to one thread at a time. Read errors surface as
 * {@link UncheckedIOException} from {@link #hasNext()} or {@link #next()}, since
 * {@link Iterator} cannot throw checked exceptions. {@link #close()} closes the channel.
 */
public final class ChunkReader implements Iterator<Chunk>, Closeable {

    /** Smallest read the reader issues (unless the input ends first). */
    public static final int MIN_READ = 1 << 20;

    private final ReadableByteChannel channel;
    private final Chunker chunker;
    private final int max;
    private final ArrayPool pool;
    private final ChunkWindow window;

    public ChunkReader(ReadableByteChannel channel, Chunker chunker) {
        this(channel, chunker, Long.MAX_VALUE);
    }

    /**
     * A reader for input expected to be {@code expectedSize} bytes long. For input smaller
     * than the chunker's maximum, the read buffer is sized to the input instead of two
     * maximum chunks: allocating (and zeroing) 8 MiB per small file made a backup of 50,000
     * small files spend 0.9 ms of CPU per file. Input that turns out longer than expected is
     * still read completely, in chunks no larger than the buffer.
     */
    public ChunkReader(ReadableByteChannel channel, Chunker chunker, long expectedSize) {
        this(channel, chunker, expectedSize, null);
    }

    /**
     * As above, with each chunk's array taken from {@code pool} (so it may be longer than the
     * chunk: use {@link Chunk#length()}); the consumer gives it back when done.
     */
    public ChunkReader(ReadableByteChannel channel, Chunker chunker, long expectedSize, ArrayPool pool) {
        this.pool = pool;
        this.channel = Objects.requireNonNull(channel, "channel");
        this.chunker = Objects.requireNonNull(chunker, "chunker");
        this.max = chunker.params().max();
        this.window = new ChunkWindow(channel, max, Math.max(max, MIN_READ), expectedSize, null);
    }

    @Override
    public boolean hasNext() {
        try {
            return window.available(max) > 0;
        } catch (IOException e) {
            // the cause is the channel's own exception, as callers unwrapping this have always seen it
            throw new UncheckedIOException(e.getMessage(), (IOException) e.getCause());
        }
    }

    @Override
    public Chunk next() {
        if (!hasNext()) {
            throw new NoSuchElementException("no more chunks: input ended at offset " + window.offset());
        }
        int start = window.start();
        int n = chunker.cut(window.array(), start, Math.min(window.buffered(), max));
        byte[] data = pool == null ? new byte[n] : pool.take(n);
        System.arraycopy(window.array(), start, data, 0, n);
        Chunk chunk = new Chunk(window.offset(), data, n);
        window.advance(n);
        return chunk;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}

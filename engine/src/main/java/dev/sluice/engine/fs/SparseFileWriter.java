package dev.sluice.engine.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Objects;

/**
 * Writes a file's content sequentially while leaving holes for every all-zero, 4 KiB-aligned
 * block, so restoring a large sparse file writes only its data blocks.
 *
 * <p>Bytes are collected per aligned block of {@value #BLOCK} bytes; a complete block that is all
 * zeros is skipped (the channel is not touched), any other block is written at its offset.
 * {@link #finish()} writes the last partial block if it holds data and sets the file's length;
 * when the file must grow past its last written block the writer writes a single zero byte at
 * the end (FileChannel cannot extend a file otherwise), which allocates at most one block.
 * The writer neither closes nor forces the channel; that stays with the caller.
 */
public final class SparseFileWriter {

    /** The block size whose all-zero instances become holes. */
    public static final int BLOCK = 4096;

    private final FileChannel channel;
    private final byte[] block = new byte[BLOCK];
    private final long start;
    private long position;
    private int filled;
    private long dataBytesWritten;
    private boolean finished;

    /**
     * @param channel a channel open for writing, positioned at a multiple of {@value #BLOCK}
     *                (normally 0 of a new, empty file)
     */
    public SparseFileWriter(FileChannel channel) throws IOException {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.start = channel.position();
        if (start % BLOCK != 0) {
            throw new IllegalArgumentException("channel position " + start + " is not a multiple of " + BLOCK);
        }
        this.position = start;
    }

    /** Appends {@code len} bytes of {@code data} from {@code off} at the current logical position. */
    public void write(byte[] data, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        if (finished) {
            throw new IllegalStateException("sparse writer already finished");
        }
        while (len > 0) {
            int n = Math.min(len, BLOCK - filled);
            System.arraycopy(data, off, block, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == BLOCK) {
                flushBlock();
            }
        }
    }

    /** Writes any buffered data and sets the file length to the logical end; returns that length. */
    public long finish() throws IOException {
        if (finished) {
            return position + filled;
        }
        finished = true;
        long end = position + filled;
        if (filled > 0) {
            flushBlock();
        }
        long size = channel.size();
        if (size < end) {
            channel.write(ByteBuffer.wrap(new byte[1]), end - 1);
        } else if (size > end) {
            channel.truncate(end);
        }
        channel.position(end);
        return end;
    }

    /** The logical position: bytes written so far, counted from the channel's starting position. */
    public long position() {
        return position + filled - start;
    }

    /** How many bytes actually went to the channel (data blocks), excluding the final length byte. */
    public long dataBytesWritten() {
        return dataBytesWritten;
    }

    private void flushBlock() throws IOException {
        if (!allZero(block, filled)) {
            ByteBuffer buf = ByteBuffer.wrap(block, 0, filled);
            long at = position;
            while (buf.hasRemaining()) {
                at += channel.write(buf, at);
            }
            dataBytesWritten += filled;
        }
        position += filled;
        filled = 0;
    }

    private static boolean allZero(byte[] b, int len) {
        for (int i = 0; i < len; i++) {
            if (b[i] != 0) {
                return false;
            }
        }
        return true;
    }
}

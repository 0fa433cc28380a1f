package dev.sluice.engine.mirror.dest;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.Arrays;
import java.util.Objects;

/**
 * Appends a received file's content to its temporary file: bytes from the sender are collected in a buffer of up
 * to 1 MiB and written with one system call per run of data blocks (aligned all-zero 4 KiB blocks become holes);
 * whole blocks that arrive in a direct buffer (a received frame) are written from it without that copy. Ranges of
 * the basis are copied by the kernel ({@link FileChannel#transferTo}), never through the JVM.
 *
 * <p>Holes are made only for zero blocks the sender sent; a range copied from the basis is written in full.
 */
final class ContentAppender {
    /** The block size whose aligned all-zero instances become holes. */
    static final int BLOCK = 4096;
    private static final int MAX_BUFFER = 1 << 20;
    private static final byte[] ZERO = new byte[BLOCK];
    private static final ByteBuffer ZERO_BLOCK = ByteBuffer.allocateDirect(BLOCK).asReadOnlyBuffer();

    private final FileChannel channel;
    private final int bufferSize;
    private byte[] buf;
    /** File offset of {@code buf[0]}. */
    private long bufStart;
    private int filled;
    private long dataBytesWritten;
    private boolean finished;

    /**
     * @param channel      a new, empty file open for writing
     * @param expectedSize the size the sender announced (only sizes the buffer)
     */
    ContentAppender(FileChannel channel, long expectedSize) {
        this.channel = Objects.requireNonNull(channel, "channel");
        long rounded = (Math.max(1, expectedSize) + BLOCK - 1) / BLOCK * BLOCK;
        this.bufferSize = (int) Math.min(MAX_BUFFER, rounded);
    }

    /** Appends {@code len} bytes of {@code data} from {@code off}. */
    void write(byte[] data, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, data.length);
        checkOpen();
        if (buf == null) {
            buf = new byte[bufferSize];
        }
        while (len > 0) {
            int n = Math.min(len, buf.length - filled);
            System.arraycopy(data, off, buf, filled, n);
            filled += n;
            off += n;
            len -= n;
            if (filled == buf.length) {
                flush(false);
            }
        }
    }

    /**
     * Appends the remaining bytes of {@code data} (moving its position to its limit). Whole blocks of a direct
     * buffer at a block boundary are written from it as they are (no copy in the JVM); the rest goes through the
     * buffer.
     */
    void write(ByteBuffer data) throws IOException {
        checkOpen();
        if (data.hasArray()) {
            write(data.array(), data.arrayOffset() + data.position(), data.remaining());
            data.position(data.limit());
            return;
        }
        int whole = data.remaining() / BLOCK * BLOCK;
        if (filled == 0 && bufStart % BLOCK == 0 && whole > 0) {
            writeBlocks(data.slice(data.position(), whole));
            data.position(data.position() + whole);
        }
        if (!data.hasRemaining()) {
            return;
        }
        if (buf == null) {
            buf = new byte[bufferSize];
        }
        while (data.hasRemaining()) {
            int n = Math.min(data.remaining(), buf.length - filled);
            data.get(buf, filled, n);
            filled += n;
            if (filled == buf.length) {
                flush(false);
            }
        }
    }

    /** Writes whole blocks at {@code bufStart} (a block boundary, nothing buffered), leaving out all-zero ones. */
    private void writeBlocks(ByteBuffer blocks) throws IOException {
        int n = blocks.remaining();
        int runFrom = -1;
        for (int i = 0; i < n; i += BLOCK) {
            boolean zero = blocks.slice(i, BLOCK).mismatch(ZERO_BLOCK) == -1;
            if (zero && runFrom >= 0) {
                writeDirect(blocks.slice(runFrom, i - runFrom), bufStart + runFrom);
                runFrom = -1;
            } else if (!zero && runFrom < 0) {
                runFrom = i;
            }
        }
        if (runFrom >= 0) {
            writeDirect(blocks.slice(runFrom, n - runFrom), bufStart + runFrom);
        }
        bufStart += n;
    }

    private void writeDirect(ByteBuffer run, long at) throws IOException {
        int n = run.remaining();
        while (run.hasRemaining()) {
            at += channel.write(run, at);
        }
        dataBytesWritten += n;
    }

    /** Appends {@code length} bytes of {@code basis} starting at {@code offset}, copied by the kernel. */
    void copy(FileChannel basis, long offset, long length) throws IOException {
        copyAt(basis, offset, length, reserve(length));
    }

    /**
     * Takes the place of the next {@code length} bytes for a range of the basis that {@link #copyAt} copies there
     * later, maybe on another thread and beside later appends (each writes its own range); returns the range's
     * file offset. A file whose copies are made later has all of them made so, by one thread, before
     * {@link #finish}.
     */
    long reserve(long length) throws IOException {
        checkOpen();
        flush(true);
        long at = bufStart;
        bufStart += length;
        dataBytesWritten += length;
        return at;
    }

    /** Copies {@code length} bytes of {@code basis} from {@code offset} to file offset {@code at}, by the kernel. */
    void copyAt(FileChannel basis, long offset, long length, long at) throws IOException {
        long from = offset;
        long end = offset + length;
        long pos = at;
        while (from < end) {
            channel.position(pos);
            long n = basis.transferTo(from, end - from, channel);
            if (n <= 0) {
                throw new IOException("the basis ended at byte " + from + " while " + (end - from)
                        + " bytes were still to be copied from it");
            }
            from += n;
            pos += n;
        }
    }

    /** Writes what is buffered and sets the file's length to the logical end; returns that length. */
    long finish() throws IOException {
        if (finished) {
            return position();
        }
        flush(true);
        finished = true;
        buf = null;
        long end = bufStart;
        long size = channel.size();
        if (size < end) {
            // the file ends in a hole: one byte at the end gives it its length
            channel.write(ByteBuffer.wrap(new byte[1]), end - 1);
        } else if (size > end) {
            channel.truncate(end);
        }
        return end;
    }

    /** Bytes appended so far. */
    long position() {
        return bufStart + filled;
    }

    /** Bytes that went to the file as data (written or copied), holes and the final length byte excluded. */
    long dataBytesWritten() {
        return dataBytesWritten;
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("the content is already finished");
        }
    }

    /**
     * Writes the buffered bytes, leaving out aligned all-zero blocks; unless {@code all}, an incomplete last block
     * stays in the buffer so that later bytes can complete it.
     */
    private void flush(boolean all) throws IOException {
        int i = 0;
        int runFrom = -1;
        while (i < filled) {
            long off = bufStart + i;
            int blockEnd = (int) Math.min(filled, i + (BLOCK - off % BLOCK));
            boolean complete = off % BLOCK == 0 && blockEnd - i == BLOCK;
            if (!complete && !all && blockEnd == filled) {
                break;
            }
            boolean zero = complete && Arrays.mismatch(buf, i, blockEnd, ZERO, 0, BLOCK) == -1;
            if (zero) {
                if (runFrom >= 0) {
                    writeRun(runFrom, i);
                    runFrom = -1;
                }
            } else if (runFrom < 0) {
                runFrom = i;
            }
            i = blockEnd;
        }
        if (runFrom >= 0) {
            writeRun(runFrom, i);
        }
        int left = filled - i;
        if (left > 0) {
            System.arraycopy(buf, i, buf, 0, left);
        }
        bufStart += i;
        filled = left;
    }

    private void writeRun(int from, int to) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(buf, from, to - from);
        long at = bufStart + from;
        while (b.hasRemaining()) {
            at += channel.write(b, at);
        }
        dataBytesWritten += to - from;
    }
}

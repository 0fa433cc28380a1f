package dev.sluice.engine.repository;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the blob ids of a verified reference list in ascending order, one at a time; closes its
 * file when exhausted (or when {@link #close()} is called early).
 */
public final class RefsIterator implements Iterator<BlobId>, Closeable {
    private final BlobId refsId;
    private final DataInputStream in;
    private final long count;
    private long read;
    private boolean closed;

    RefsIterator(BlobId refsId, Path file, long count) throws IOException {
        this.refsId = refsId;
        this.count = count;
        this.in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
        try {
            in.readFully(new byte[RefsFormat.HEADER_SIZE]);
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** Number of ids in the list. */
    public long count() {
        return count;
    }

    @Override
    public boolean hasNext() {
        if (read < count) {
            return true;
        }
        closeQuietlyAtEnd();
        return false;
    }

    @Override
    public BlobId next() {
        if (!hasNext()) {
            throw new NoSuchElementException("reference list " + refsId.hex() + " has no more ids");
        }
        byte[] id = new byte[BlobId.LENGTH];
        try {
            in.readFully(id);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read reference list " + refsId.hex() + " at id " + read, e);
        }
        read++;
        return BlobId.of(id);
    }

    @Override
    public void close() throws IOException {
        if (!closed) {
            closed = true;
            in.close();
        }
    }

    private void closeQuietlyAtEnd() {
        try {
            close();
        } catch (IOException e) {
            throw new UncheckedIOException("could not close reference list " + refsId.hex(), e);
        }
    }
}

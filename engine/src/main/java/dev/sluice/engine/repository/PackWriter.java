package dev.sluice.engine.repository;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.zip.CRC32C;

/**
 * Writes one pack file: sealed blobs back to back behind a header, then a clear trailer that
 * lists every blob. The file grows in {@code tmp/} and is renamed to {@code data/xx/<sha256>}
 * by {@link #finish()}.
 *
 * <p>Writes go through a 1 MiB buffer and the SHA-256 is computed as bytes pass, so finishing
 * does not read the file again. Not thread-safe: one writer belongs to one thread at a time.
 */
public final class PackWriter implements AutoCloseable {
    private static final int BUFFER_SIZE = 1 << 20;

    private final RepositoryLayout layout;
    private final AtomicFile file;
    private final MessageDigest digest = Sha256.newDigest();
    private final ByteBuffer buffer = ByteBuffer.allocate(BUFFER_SIZE).order(ByteOrder.BIG_ENDIAN);
    private final List<Pending> pending = new ArrayList<>();
    private final Set<BlobId> ids = new HashSet<>();
    private long size;
    private boolean done;

    private record Pending(BlobId id, BlobKind kind, long offset, int length) {}

    PackWriter(RepositoryLayout layout) throws IOException {
        this.layout = layout;
        this.file = AtomicFile.create(layout.tmp(), "pack-");
        byte[] header = PackFormat.header();
        append(header, 0, header.length);
    }

    /** Appends a sealed blob. A blob id may appear only once in a pack. */
    public void add(BlobId id, BlobKind kind, byte[] sealed, int off, int len) throws IOException {
        checkOpen();
        if (off < 0 || len < 0 || off > sealed.length - len) {
            throw new IndexOutOfBoundsException("blob " + id.shortHex() + ": range [" + off + ", " + off + "+" + len
                    + ") is outside an array of " + sealed.length + " bytes");
        }
        if (size > PackFormat.MAX_DATA_END - len) {
            throw new IllegalStateException("pack would exceed 4 GiB with blob " + id.shortHex()
                    + "; finish it and start a new one");
        }
        if (!ids.add(id)) {
            throw new IllegalArgumentException("blob " + id.shortHex() + " was already added to this pack");
        }
        pending.add(new Pending(id, kind, size, len));
        append(sealed, off, len);
    }

    /** Bytes written so far (header and blobs; the trailer is added by {@link #finish()}). */
    public long size() {
        return size;
    }

    /** Number of blobs added. */
    public int count() {
        return pending.size();
    }

    /**
     * Writes the trailer, fsyncs, renames the file to {@code data/xx/<sha256>} and returns what it holds.
     * The caller records it with {@link Repository#commitIndex}.
     */
    public PackInfo finish() throws IOException {
        checkOpen();
        try {
            ByteBuffer entry = ByteBuffer.allocate(PackFormat.ENTRY_SIZE);
            CRC32C crc = new CRC32C();
            for (Pending p : pending) {
                entry.clear();
                entry.put(p.kind().code()).put(p.id().raw()).putLong(p.offset()).putInt(p.length());
                crc.update(entry.array(), 0, PackFormat.ENTRY_SIZE);
                append(entry.array(), 0, PackFormat.ENTRY_SIZE);
            }
            ByteBuffer footer = ByteBuffer.allocate(PackFormat.FOOTER_SIZE);
            footer.putInt(pending.size()).putInt(pending.size() * PackFormat.ENTRY_SIZE)
                    .putInt((int) crc.getValue()).put(PackFormat.TRAILER_MAGIC);
            append(footer.array(), 0, PackFormat.FOOTER_SIZE);
            flush();
            PackId id = PackId.of(digest.digest());
            file.commit(layout.pack(id));
            done = true;
            List<IndexEntry> entries = new ArrayList<>(pending.size());
            for (Pending p : pending) {
                entries.add(new IndexEntry(p.id(), p.kind(), id, p.offset(), p.length()));
            }
            return new PackInfo(id, size, entries);
        } catch (IOException | RuntimeException e) {
            abort();
            throw e;
        }
    }

    /** Removes the temporary file; the blobs added so far are lost. Does nothing after finish. */
    public void abort() throws IOException {
        done = true;
        file.abort();
    }

    /** Aborts unless finished. */
    @Override
    public void close() throws IOException {
        abort();
    }

    private void append(byte[] src, int off, int len) throws IOException {
        digest.update(src, off, len);
        size += len;
        if (len > buffer.remaining()) {
            flush();
            if (len >= BUFFER_SIZE / 2) {
                writeFully(ByteBuffer.wrap(src, off, len));
                return;
            }
        }
        buffer.put(src, off, len);
    }

    private void flush() throws IOException {
        buffer.flip();
        writeFully(buffer);
        buffer.clear();
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            file.channel().write(b);
        }
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("pack writer was already finished or aborted");
        }
    }
}

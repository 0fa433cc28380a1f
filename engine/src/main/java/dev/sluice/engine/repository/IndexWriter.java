package dev.sluice.engine.repository;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Streams one index file (format version 1, see docs/repository.md) pack by pack, entry by entry, so an
 * index of millions of blobs is written without holding its entries as objects. The file appears under
 * {@code index/<sha256>} only when {@link #commit()} succeeds; closing an uncommitted writer removes it.
 */
public final class IndexWriter implements AutoCloseable {
    private final RepositoryLayout layout;
    private final AtomicFile file;
    private final MessageDigest digest = Sha256.newDigest();
    private final DataOutputStream out;
    private final int packCount;
    private int packsBegun;
    private int remainingInPack;
    private PackId currentPack;
    private long total;
    private boolean done;

    IndexWriter(RepositoryLayout layout, int packCount) throws IOException {
        if (packCount < 0) {
            throw new IllegalArgumentException("an index file cannot list " + packCount + " packs");
        }
        this.layout = layout;
        this.packCount = packCount;
        this.file = AtomicFile.create(layout.tmp(), "index-");
        this.out = new DataOutputStream(new DigestOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(file.channel()), 1 << 16), digest));
        try {
            out.write(IndexFile.MAGIC);
            out.write(new byte[] {IndexFile.VERSION, 0, 0, 0});
            out.writeInt(packCount);
        } catch (IOException e) {
            file.abort();
            throw e;
        }
    }

    /** Starts the next pack; exactly {@code entries} calls of {@link #add} must follow. */
    public void beginPack(PackId pack, long size, int entries) throws IOException {
        checkOpen();
        if (remainingInPack != 0) {
            throw new IllegalStateException("pack " + currentPack.shortHex() + " still expects " + remainingInPack
                    + " entries");
        }
        if (packsBegun == packCount) {
            throw new IllegalStateException("this index file was declared with " + packCount + " packs");
        }
        if (size < 0 || entries < 0) {
            throw new IllegalArgumentException("pack " + pack.shortHex() + ": negative size " + size + " or count "
                    + entries);
        }
        packsBegun++;
        currentPack = pack;
        remainingInPack = entries;
        out.write(pack.raw());
        out.writeLong(size);
        out.writeInt(entries);
    }

    /** Adds one entry of the current pack. */
    public void add(BlobKind kind, BlobId id, long offset, int length) throws IOException {
        checkOpen();
        if (remainingInPack == 0) {
            throw new IllegalStateException("no pack expects another entry (blob " + id.shortHex() + ")");
        }
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("blob " + id.shortHex() + ": negative offset " + offset
                    + " or length " + length);
        }
        remainingInPack--;
        total++;
        out.writeByte(kind.code());
        out.write(id.raw());
        out.writeLong(offset);
        out.writeInt(length);
    }

    /** Finishes the file, makes it durable under its hash name and returns that name (64 hex digits). */
    public String commit() throws IOException {
        checkOpen();
        if (packsBegun != packCount || remainingInPack != 0) {
            throw new IllegalStateException("index file is incomplete: " + packsBegun + " of " + packCount
                    + " packs begun, " + remainingInPack + " entries missing in the last");
        }
        try {
            out.writeLong(total);
            out.write(IndexFile.END_MAGIC);
            out.flush();
            String name = Hex.encode(digest.digest());
            file.commit(layout.indexFile(name));
            done = true;
            return name;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Removes the temporary file unless committed. */
    @Override
    public void close() throws IOException {
        done = true;
        file.abort();
    }

    private void checkOpen() {
        if (done) {
            throw new IllegalStateException("index writer was already committed or closed");
        }
    }
}

package dev.sluice.engine.repository;

import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.channels.Channels;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Writes one reference list as its ids arrive, in strictly ascending order, into a temporary file of the repository:
 * memory stays the same however many ids the list has. {@link #commit()} names the file by its SHA-256 and puts it
 * in place; {@link #close()} without a commit removes it.
 */
public final class RefsWriter implements Closeable {
    private final RepositoryLayout layout;
    private final AtomicFile file;
    private final MessageDigest digest = Sha256.newDigest();
    private final RefsFormat.Encoder encoder;
    private boolean done;

    private RefsWriter(RepositoryLayout layout, AtomicFile file) throws IOException {
        this.layout = layout;
        this.file = file;
        this.encoder = new RefsFormat.Encoder(new DigestOutputStream(
                new BufferedOutputStream(Channels.newOutputStream(file.channel()), 1 << 16), digest));
    }

    static RefsWriter open(RepositoryLayout layout) throws IOException {
        AtomicFile file = AtomicFile.create(layout.tmp(), "refs-");
        try {
            return new RefsWriter(layout, file);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /**
     * Appends {@code id}.
     *
     * @throws IllegalArgumentException when it does not come after the previous id
     */
    public void add(BlobId id) throws IOException {
        if (done) {
            throw new IllegalStateException("the reference list is already committed or dropped");
        }
        encoder.add(id);
    }

    /** How many ids were added. */
    public long count() {
        return encoder.count();
    }

    /** Ends the list and stores it under its SHA-256, which it returns. */
    public BlobId commit() throws IOException {
        if (done) {
            throw new IllegalStateException("the reference list is already committed or dropped");
        }
        done = true;
        encoder.finish();
        BlobId name = BlobId.of(digest.digest());
        file.commit(layout.refsFile(name));
        return name;
    }

    /** Drops the list unless it was committed. */
    @Override
    public void close() throws IOException {
        done = true;
        file.close();
    }
}

package dev.sluice.engine.tree;

import dev.sluice.engine.repository.BlobId;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Streams the entries of a snapshot's metadata stream, fetching its TREE blobs one at a
 * time; memory holds one blob, however large the tree.
 */
public final class TreeReader implements Iterator<TreeEntry> {

    /** Fetches and opens one TREE blob. */
    @FunctionalInterface
    public interface TreeBlobSource {
        byte[] plaintext(BlobId id) throws IOException;
    }

    private final TreeDecoder decoder;
    private TreeEntry next;
    private boolean done;

    public TreeReader(List<BlobId> blobs, TreeBlobSource source) {
        this.decoder = new TreeDecoder(new BufferedInputStream(new BlobStream(blobs, source), 1 << 16));
    }

    @Override
    public boolean hasNext() {
        if (next == null && !done) {
            try {
                next = decoder.next();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            done = next == null;
        }
        return next != null;
    }

    @Override
    public TreeEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        TreeEntry e = next;
        next = null;
        return e;
    }

    /** The TREE blobs of a snapshot read back to back as one stream. */
    private static final class BlobStream extends InputStream {
        private final List<BlobId> blobs;
        private final TreeBlobSource source;
        private int index;
        private InputStream current = InputStream.nullInputStream();

        BlobStream(List<BlobId> blobs, TreeBlobSource source) {
            this.blobs = blobs;
            this.source = source;
        }

        private boolean advance() throws IOException {
            if (index >= blobs.size()) {
                return false;
            }
            current = new ByteArrayInputStream(source.plaintext(blobs.get(index++)));
            return true;
        }

        @Override
        public int read() throws IOException {
            int b;
            while ((b = current.read()) < 0) {
                if (!advance()) {
                    return -1;
                }
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            int n;
            while ((n = current.read(b, off, len)) < 0) {
                if (!advance()) {
                    return -1;
                }
            }
            return n;
        }
    }
}

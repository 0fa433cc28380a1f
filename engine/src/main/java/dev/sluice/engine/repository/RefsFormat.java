package dev.sluice.engine.repository;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Reference lists ({@code refs/<sha256>}, format version 1): the sorted, unique blob ids a
 * snapshot needs, behind a header and before a footer with the count.
 */
final class RefsFormat {
    static final byte[] MAGIC = "SLRF".getBytes(StandardCharsets.US_ASCII);
    static final byte[] END_MAGIC = "SLRE".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    static final int HEADER_SIZE = 8;
    static final int FOOTER_SIZE = 12;

    private RefsFormat() {}

    /** Writes the bytes of the reference list of these ids, which must be strictly ascending, to {@code out}. */
    static void encode(Iterator<BlobId> sortedUniqueIds, OutputStream out) throws IOException {
        Encoder encoder = new Encoder(out);
        while (sortedUniqueIds.hasNext()) {
            encoder.add(sortedUniqueIds.next());
        }
        encoder.finish();
    }

    /** The bytes of one reference list, written as its ids arrive: header, ids (checked ascending), footer. */
    static final class Encoder {
        private final DataOutputStream data;
        private BlobId previous;
        private long count;

        /** Writes the header to {@code out}. */
        Encoder(OutputStream out) throws IOException {
            this.data = new DataOutputStream(out);
            data.write(MAGIC);
            data.write(new byte[] {VERSION, 0, 0, 0});
        }

        /**
         * Appends {@code id}.
         *
         * @throws IllegalArgumentException when it does not come after the previous id
         */
        void add(BlobId id) throws IOException {
            if (previous != null && previous.compareTo(id) >= 0) {
                throw new IllegalArgumentException("reference ids must be sorted and unique: " + id.hex()
                        + " follows " + previous.hex() + " (position " + count + ")");
            }
            data.write(id.raw());
            previous = id;
            count++;
        }

        long count() {
            return count;
        }

        /** Writes the footer and flushes. */
        void finish() throws IOException {
            data.writeLong(count);
            data.write(END_MAGIC);
            data.flush();
        }
    }

    /** Streams the ids to a new file; they must be strictly ascending. Returns the file's SHA-256. */
    static BlobId write(RepositoryLayout layout, Iterator<BlobId> sortedUniqueIds) throws IOException {
        try (RefsWriter writer = RefsWriter.open(layout)) {
            while (sortedUniqueIds.hasNext()) {
                writer.add(sortedUniqueIds.next());
            }
            return writer.commit();
        }
    }

    /**
     * Verifies the whole file (hash, header, footer, order) in one streaming pass, then returns an
     * iterator over it. A damaged list is never handed out partially: a short list would make
     * garbage collection delete data that a snapshot still needs.
     */
    static RefsIterator read(RepositoryLayout layout, BlobId refsId) throws IOException {
        Path file = layout.refsFile(refsId);
        String what = "reference list " + refsId.hex() + " (" + file + ")";
        long size;
        try {
            size = Files.size(file);
        } catch (NoSuchFileException e) {
            throw new RepositoryException(what + " does not exist", e);
        }
        long count = (size - HEADER_SIZE - FOOTER_SIZE) / BlobId.LENGTH;
        if (size < HEADER_SIZE + FOOTER_SIZE || (size - HEADER_SIZE - FOOTER_SIZE) % BlobId.LENGTH != 0) {
            throw new RepositoryException(what + " is damaged: its size " + size + " is not header + n*32 + footer"
                    + " (truncated?)");
        }
        MessageDigest digest = Sha256.newDigest();
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] header = new byte[HEADER_SIZE];
            in.readFully(header);
            digest.update(header);
            if (!Arrays.equals(header, 0, 4, MAGIC, 0, 4)) {
                throw new RepositoryException(what + " is not a sluice reference list: wrong magic");
            }
            if (header[4] != VERSION) {
                throw new RepositoryException(what + " has unsupported version " + (header[4] & 0xff)
                        + " (this sluice reads version " + VERSION + ")");
            }
            byte[] previous = null;
            byte[] id = new byte[BlobId.LENGTH];
            for (long i = 0; i < count; i++) {
                in.readFully(id);
                digest.update(id);
                if (previous != null && Arrays.compareUnsigned(previous, id) >= 0) {
                    throw new RepositoryException(what + " is damaged: ids are not ascending at position " + i);
                }
                previous = previous == null ? id.clone() : swap(previous, id);
            }
            byte[] footer = new byte[FOOTER_SIZE];
            in.readFully(footer);
            digest.update(footer);
            long declared = ByteBuffer.wrap(footer).getLong();
            if (declared != count || !Arrays.equals(footer, 8, 12, END_MAGIC, 0, 4)) {
                throw new RepositoryException(what + " is damaged: its footer does not match its size");
            }
        } catch (EOFException e) {
            throw new RepositoryException(what + " is damaged: it ends too early", e);
        }
        BlobId actual = BlobId.of(digest.digest());
        if (!actual.equals(refsId)) {
            throw new RepositoryException(what + " is damaged: its content hashes to " + actual.hex());
        }
        return new RefsIterator(refsId, file, count);
    }

    private static byte[] swap(byte[] previous, byte[] id) {
        System.arraycopy(id, 0, previous, 0, id.length);
        return previous;
    }

    static boolean exists(RepositoryLayout layout, BlobId refsId) {
        return Files.isRegularFile(layout.refsFile(refsId));
    }
}

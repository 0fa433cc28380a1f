package dev.sluice.engine.repository;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads and writes index files ({@code index/<sha256>}, format version 1): a list of packs, each
 * with its size and its entries. Files are streamed in both directions, so their size is bounded
 * only by the disk.
 */
final class IndexFile {
    static final byte[] MAGIC = "SLIX".getBytes(StandardCharsets.US_ASCII);
    static final byte[] END_MAGIC = "SLIE".getBytes(StandardCharsets.US_ASCII);
    static final byte VERSION = 1;
    private static final int MAX_ENTRIES_PER_PACK = 1 << 26;

    private IndexFile() {}

    /** Writes an index file atomically and returns its name (the SHA-256 of its bytes, in hex). */
    static String write(RepositoryLayout layout, List<PackInfo> packs) throws IOException {
        try (IndexWriter writer = new IndexWriter(layout, packs.size())) {
            for (PackInfo pack : packs) {
                writer.beginPack(pack.id(), pack.size(), pack.entries().size());
                for (IndexEntry e : pack.entries()) {
                    writer.add(e.kind(), e.id(), e.offset(), e.length());
                }
            }
            return writer.commit();
        }
    }

    /** Checks that the file's SHA-256 equals its name. */
    static void verify(Path file, String name) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        String actual = Hex.encode(digest.digest());
        if (!actual.equals(name)) {
            throw new RepositoryException("index file " + name + " is damaged: its content hashes to " + actual
                    + " (" + file + ")");
        }
    }

    /** Parses the file and hands each pack to {@code sink}, one at a time. */
    static void read(Path file, String name, Consumer<PackInfo> sink) throws IOException {
        String what = "index file " + name + " (" + file + ")";
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            byte[] magic = new byte[4];
            in.readFully(magic);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new RepositoryException(what + " is not a sluice index file: wrong magic");
            }
            int version = in.readUnsignedByte();
            if (version != VERSION) {
                throw new RepositoryException(what + " has unsupported index version " + version
                        + " (this sluice reads version " + VERSION + ")");
            }
            in.readFully(new byte[3]);
            long packCount = Integer.toUnsignedLong(in.readInt());
            long total = 0;
            byte[] id = new byte[BlobId.LENGTH];
            for (long p = 0; p < packCount; p++) {
                in.readFully(id);
                PackId pack = PackId.of(id);
                long size = in.readLong();
                int count = in.readInt();
                if (count < 0 || count > MAX_ENTRIES_PER_PACK) {
                    throw new RepositoryException(what + " is damaged: pack " + pack.hex() + " claims " + count
                            + " entries");
                }
                List<IndexEntry> entries = new ArrayList<>(count);
                for (int i = 0; i < count; i++) {
                    byte code = in.readByte();
                    in.readFully(id);
                    BlobId blob = BlobId.of(id);
                    long offset = in.readLong();
                    int length = in.readInt();
                    try {
                        entries.add(new IndexEntry(blob, BlobKind.fromCode(code), pack, offset, length));
                    } catch (IllegalArgumentException e) {
                        throw new RepositoryException(what + " is damaged: " + e.getMessage(), e);
                    }
                }
                total += count;
                try {
                    sink.accept(new PackInfo(pack, size, entries));
                } catch (IllegalArgumentException e) {
                    throw new RepositoryException(what + " is damaged: " + e.getMessage(), e);
                }
            }
            long declared = in.readLong();
            in.readFully(magic);
            if (declared != total || !Arrays.equals(magic, END_MAGIC) || in.read() != -1) {
                throw new RepositoryException(what + " is damaged: its end marker does not match its content");
            }
        } catch (EOFException e) {
            throw new RepositoryException(what + " is damaged: it ends too early (truncated?)", e);
        }
    }
}

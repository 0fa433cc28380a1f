package dev.sluice.engine.repository;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * Reads one pack file without the key: parses the trailer from the end of the file (the blob
 * data is not read), checks that every entry lies inside the data area, reads single blobs by
 * positional reads, and verifies the file's SHA-256 against its name.
 */
public final class PackReader implements Closeable {
    private final Path file;
    private final PackId id;
    private final FileChannel channel;
    private final long fileSize;
    private final long dataEnd;
    private final List<IndexEntry> entries;

    private PackReader(Path file, PackId id, FileChannel channel, long fileSize, long dataEnd,
                       List<IndexEntry> entries) {
        this.file = file;
        this.id = id;
        this.channel = channel;
        this.fileSize = fileSize;
        this.dataEnd = dataEnd;
        this.entries = entries;
    }

    /** Opens the pack file {@code file} that should have the id {@code id} and parses its trailer. */
    public static PackReader open(Path file, PackId id) throws IOException {
        FileChannel channel;
        try {
            channel = FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new RepositoryException("pack " + id.hex() + " does not exist (" + file + ")", e);
        }
        try {
            long size = channel.size();
            String what = "pack " + id.hex() + " (" + file + ")";
            if (size < PackFormat.HEADER_SIZE + PackFormat.FOOTER_SIZE) {
                throw new RepositoryException(what + " is damaged: only " + size + " bytes long (truncated?)");
            }
            ByteBuffer header = ByteBuffer.allocate(PackFormat.HEADER_SIZE);
            readFully(channel, header, 0, what);
            if (!Arrays.equals(header.array(), 0, 4, PackFormat.HEADER_MAGIC, 0, 4)) {
                throw new RepositoryException(what + " is not a sluice pack: wrong header magic");
            }
            if (header.get(4) != PackFormat.VERSION) {
                throw new RepositoryException(what + " has unsupported pack version " + (header.get(4) & 0xff)
                        + " (this sluice reads version " + PackFormat.VERSION + ")");
            }
            ByteBuffer footer = ByteBuffer.allocate(PackFormat.FOOTER_SIZE);
            readFully(channel, footer, size - PackFormat.FOOTER_SIZE, what);
            if (!Arrays.equals(footer.array(), 12, 16, PackFormat.TRAILER_MAGIC, 0, 4)) {
                throw new RepositoryException(what + " is damaged: no trailer magic at its end (truncated?)");
            }
            long count = Integer.toUnsignedLong(footer.getInt(0));
            long trailerLength = Integer.toUnsignedLong(footer.getInt(4));
            int crc = footer.getInt(8);
            long trailerStart = size - PackFormat.FOOTER_SIZE - trailerLength;
            if (trailerLength != count * PackFormat.ENTRY_SIZE || trailerStart < PackFormat.HEADER_SIZE) {
                throw new RepositoryException(what + " is damaged: trailer says " + count + " entries in "
                        + trailerLength + " bytes, which does not fit a file of " + size + " bytes");
            }
            ByteBuffer trailer = ByteBuffer.allocate((int) trailerLength);
            readFully(channel, trailer, trailerStart, what);
            CRC32C check = new CRC32C();
            check.update(trailer.array());
            if ((int) check.getValue() != crc) {
                throw new RepositoryException(what + " is damaged: trailer checksum does not match");
            }
            List<IndexEntry> entries = new ArrayList<>((int) count);
            long previousEnd = PackFormat.HEADER_SIZE;
            byte[] raw = trailer.array();
            for (int i = 0; i < count; i++) {
                int base = i * PackFormat.ENTRY_SIZE;
                BlobKind kind;
                try {
                    kind = BlobKind.fromCode(raw[base]);
                } catch (IllegalArgumentException e) {
                    throw new RepositoryException(what + " is damaged: entry " + i + ": " + e.getMessage(), e);
                }
                BlobId blob = BlobId.read(raw, base + 1);
                long offset = trailer.getLong(base + 1 + BlobId.LENGTH);
                int length = trailer.getInt(base + 1 + BlobId.LENGTH + 8);
                if (length < 0 || offset < previousEnd || offset > trailerStart - length) {
                    throw new RepositoryException(what + " is damaged: blob " + blob.hex() + " at offset " + offset
                            + " length " + length + " does not lie in the data area [" + previousEnd + ", "
                            + trailerStart + ")");
                }
                previousEnd = offset + length;
                entries.add(new IndexEntry(blob, kind, id, offset, length));
            }
            return new PackReader(file, id, channel, size, trailerStart, List.copyOf(entries));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    public PackId id() {
        return id;
    }

    public Path file() {
        return file;
    }

    /** Size of the whole file in bytes. */
    public long fileSize() {
        return fileSize;
    }

    /** The blobs listed in the trailer, in file order. */
    public List<IndexEntry> entries() {
        return entries;
    }

    /** The summary of this pack as recorded in an index file. */
    public PackInfo info() {
        return new PackInfo(id, fileSize, entries);
    }

    /** Reads one sealed blob by a positional read; the entry must lie inside this pack's data area. */
    public byte[] readBlob(IndexEntry entry) throws IOException {
        if (!entry.pack().equals(id)) {
            throw new IllegalArgumentException("entry for blob " + entry.id().shortHex() + " is in pack "
                    + entry.pack().shortHex() + ", not in pack " + id.shortHex());
        }
        if (entry.offset() < PackFormat.HEADER_SIZE || entry.offset() > dataEnd - entry.length()) {
            throw new RepositoryException("blob " + entry.id().hex() + " at offset " + entry.offset() + " length "
                    + entry.length() + " lies outside the data area of pack " + id.hex());
        }
        ByteBuffer b = ByteBuffer.allocate(entry.length());
        readFully(channel, b, entry.offset(), "pack " + id.hex() + " (" + file + ")");
        return b.array();
    }

    /** Hashes the whole file and throws, naming the pack, if the SHA-256 is not the pack's id. */
    public void verifyHash() throws IOException {
        PackId actual = hashFile(channel, fileSize);
        if (!actual.equals(id)) {
            throw new RepositoryException("pack " + id.hex() + " is damaged: its content hashes to "
                    + actual.hex() + " (" + file + ")");
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    static PackId hashFile(FileChannel channel, long size) throws IOException {
        MessageDigest digest = Sha256.newDigest();
        ByteBuffer b = ByteBuffer.allocate(1 << 20);
        long pos = 0;
        while (pos < size) {
            b.clear();
            int n = channel.read(b, pos);
            if (n < 0) {
                break;
            }
            digest.update(b.array(), 0, n);
            pos += n;
        }
        return PackId.of(digest.digest());
    }

    static void readFully(FileChannel channel, ByteBuffer b, long position, String what) throws IOException {
        long pos = position;
        while (b.hasRemaining()) {
            int n = channel.read(b, pos);
            if (n < 0) {
                throw new RepositoryException(what + " ended at byte " + pos + " while reading " + b.remaining()
                        + " more bytes from offset " + position + " (truncated?)");
            }
            pos += n;
        }
        b.flip();
    }
}

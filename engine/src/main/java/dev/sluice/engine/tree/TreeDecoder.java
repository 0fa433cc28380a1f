package dev.sluice.engine.tree;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.repository.BlobId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads tree entries written by {@link TreeEncoder}, one at a time, checking every length
 * against a limit before allocating, so a damaged stream fails with a clear message.
 */
public final class TreeDecoder {
    static final int MAX_PATH = 1 << 20;
    static final int MAX_XATTRS = 4096;
    static final int MAX_XATTR_VALUE = 1 << 20;
    static final int MAX_CHUNKS = Integer.MAX_VALUE - 8;

    private final InputStream in;

    public TreeDecoder(InputStream in) {
        this.in = in;
    }

    /** Returns the next entry, or null at the clean end of the stream. */
    public TreeEntry next() throws IOException {
        int mark = in.read();
        if (mark < 0) {
            return null;
        }
        if (mark != TreeEncoder.ENTRY_MARK) {
            throw new TreeFormatException(String.format("metadata stream damaged: entry mark 0x%02x", mark));
        }
        byte[] path = bytes(MAX_PATH, "path");
        int kindOrdinal = readByte();
        FileKind[] kinds = FileKind.values();
        if (kindOrdinal >= kinds.length) {
            throw new TreeFormatException("metadata stream damaged: unknown file kind " + kindOrdinal);
        }
        FileKind kind = kinds[kindOrdinal];
        int mode = (int) varint();
        int uid = (int) varint();
        int gid = (int) varint();
        long size = varint();
        long mtime = unzigzag(varint());
        long atime = unzigzag(varint());
        long ctime = unzigzag(varint());
        long dev = varint();
        long ino = varint();
        long nlink = varint();
        long rdev = varint();
        byte[] linkTarget = optionalBytes(MAX_PATH, "link target");
        byte[] hardlinkTo = optionalBytes(MAX_PATH, "hardlink target");
        int xattrCount = count(MAX_XATTRS, "xattr count");
        List<Xattr> xattrs = new ArrayList<>(xattrCount);
        for (int i = 0; i < xattrCount; i++) {
            String name = new String(bytes(4096, "xattr name"), StandardCharsets.UTF_8);
            xattrs.add(new Xattr(name, bytes(MAX_XATTR_VALUE, "xattr value")));
        }
        int chunkCount = count(MAX_CHUNKS, "chunk count");
        List<ChunkRef> chunks = new ArrayList<>(Math.min(chunkCount, 1024));
        for (int i = 0; i < chunkCount; i++) {
            byte[] id = in.readNBytes(32);
            if (id.length != 32) {
                throw new TreeFormatException("metadata stream truncated inside a chunk id");
            }
            chunks.add(new ChunkRef(BlobId.of(id), (int) varint()));
        }
        try {
            FileMeta meta = new FileMeta(kind, mode, uid, gid, size, mtime, atime, ctime, dev, ino,
                    nlink, rdev, linkTarget, xattrs);
            return new TreeEntry(path, meta, hardlinkTo, chunks);
        } catch (IllegalArgumentException e) {
            throw new TreeFormatException("metadata stream damaged: " + e.getMessage());
        }
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new TreeFormatException("metadata stream truncated inside an entry");
        }
        return b;
    }

    private int count(int max, String what) throws IOException {
        long v = varint();
        if (v > max) {
            throw new TreeFormatException("metadata stream damaged: " + what + " " + v + " exceeds " + max);
        }
        return (int) v;
    }

    private byte[] bytes(int max, String what) throws IOException {
        int len = count(max, what + " length");
        byte[] b = in.readNBytes(len);
        if (b.length != len) {
            throw new TreeFormatException("metadata stream truncated inside a " + what);
        }
        return b;
    }

    private byte[] optionalBytes(int max, String what) throws IOException {
        long v = varint();
        if (v == 0) {
            return null;
        }
        if (v - 1 > max) {
            throw new TreeFormatException("metadata stream damaged: " + what + " length " + (v - 1));
        }
        byte[] b = in.readNBytes((int) (v - 1));
        if (b.length != v - 1) {
            throw new TreeFormatException("metadata stream truncated inside a " + what);
        }
        return b;
    }

    private long varint() throws IOException {
        long result = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            int b = readByte();
            result |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new TreeFormatException("metadata stream damaged: varint longer than 64 bits");
    }

    private static long unzigzag(long v) {
        return (v >>> 1) ^ -(v & 1);
    }
}

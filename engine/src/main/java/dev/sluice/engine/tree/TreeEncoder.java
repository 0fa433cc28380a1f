package dev.sluice.engine.tree;

import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.Xattr;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tree entries in the binary form of the metadata stream (see docs/repository.md):
 * unsigned LEB128 varints, zig-zag for signed times, length-prefixed byte strings.
 */
public final class TreeEncoder {
    /** First byte of every entry; a decoder meeting anything else knows the stream is damaged. */
    static final int ENTRY_MARK = 0xE1;

    private final OutputStream out;

    public TreeEncoder(OutputStream out) {
        this.out = out;
    }

    public void write(TreeEntry e) throws IOException {
        FileMeta m = e.meta();
        out.write(ENTRY_MARK);
        bytes(e.path());
        out.write(m.kind().ordinal());
        varint(m.mode());
        varint(m.uid() & 0xffffffffL);
        varint(m.gid() & 0xffffffffL);
        varint(m.size());
        varint(zigzag(m.mtimeNanos()));
        varint(zigzag(m.atimeNanos()));
        varint(zigzag(m.ctimeNanos()));
        varint(m.dev());
        varint(m.ino());
        varint(m.nlink());
        varint(m.rdev());
        optionalBytes(m.linkTarget());
        optionalBytes(e.hardlinkTo());
        varint(m.xattrs().size());
        for (Xattr x : m.xattrs()) {
            bytes(x.name().getBytes(StandardCharsets.UTF_8));
            bytes(x.value());
        }
        varint(e.chunks().size());
        for (ChunkRef c : e.chunks()) {
            out.write(c.id().bytes());
            varint(c.length());
        }
    }

    private void optionalBytes(byte[] b) throws IOException {
        if (b == null) {
            varint(0);
        } else {
            varint(b.length + 1L);
            out.write(b);
        }
    }

    private void bytes(byte[] b) throws IOException {
        varint(b.length);
        out.write(b);
    }

    private static long zigzag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    private void varint(long v) throws IOException {
        while ((v & ~0x7fL) != 0) {
            out.write((int) ((v & 0x7f) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}

package dev.sluice.engine.tree;

import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import java.util.Arrays;
import java.util.List;

/**
 * One entry of a snapshot's metadata stream: an absolute raw path, its metadata, the
 * path it is a hardlink to (if any), and for regular files the chunks of its content.
 */
public record TreeEntry(byte[] path, FileMeta meta, byte[] hardlinkTo, List<ChunkRef> chunks) {
    public TreeEntry {
        if (path == null || path.length == 0 || path[0] != '/') {
            throw new IllegalArgumentException("tree entry path must be absolute");
        }
        if (meta == null) {
            throw new IllegalArgumentException("tree entry without metadata");
        }
        chunks = chunks == null ? List.of() : List.copyOf(chunks);
    }

    public boolean isHardlink() {
        return hardlinkTo != null;
    }

    public boolean isRegular() {
        return meta.kind() == FileKind.REGULAR;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TreeEntry t
                && Arrays.equals(path, t.path)
                && meta.equals(t.meta)
                && Arrays.equals(hardlinkTo, t.hardlinkTo)
                && chunks.equals(t.chunks);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(path) * 31 + meta.hashCode();
    }

    @Override
    public String toString() {
        return "TreeEntry[" + RawPath.escape(path) + ", " + meta.kind() + ", " + chunks.size() + " chunks]";
    }
}

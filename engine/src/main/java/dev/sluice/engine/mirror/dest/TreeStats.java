package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.PosixStat;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * lstat of relative paths under a directory handle, asked in path order: the directories on the way are opened one
 * component at a time without following symlinks (a component that is a symlink or no directory answers null, and so
 * does a path that {@link EntryPath#check} refuses: it cannot leave the tree), and
 * the chain of the last path's directories is kept open for the next one. Not thread-safe.
 */
final class TreeStats implements AutoCloseable {
    private final DirectoryHandle root;
    private final MirrorLimits limits;
    /** The open directories below the root, and their names, for the last path's parent. */
    private final List<DirectoryHandle> open = new ArrayList<>();
    private final List<byte[]> names = new ArrayList<>();

    /** Paths are checked as an entry's path is ({@link EntryPath#check}, within {@code limits}). */
    TreeStats(DirectoryHandle root, MirrorLimits limits) {
        this.root = root;
        this.limits = limits;
    }

    /** {@code {dev, ino, ctime in nanoseconds}} of {@code path} (components separated by '/'), or null. */
    long[] stat(byte[] path) {
        try {
            EntryPath.check(path, limits, "journal path");
        } catch (MirrorRefusedException e) {
            return null;
        }
        List<byte[]> parts = List.of(EntryPath.components(path));
        int keep = 0;
        while (keep < names.size() && keep < parts.size() - 1 && Arrays.equals(names.get(keep), parts.get(keep))) {
            keep++;
        }
        while (open.size() > keep) {
            open.remove(open.size() - 1).close();
            names.remove(names.size() - 1);
        }
        try {
            for (int i = keep; i < parts.size() - 1; i++) {
                DirectoryHandle parent = open.isEmpty() ? root : open.get(open.size() - 1);
                open.add(parent.openDirectory(parts.get(i)));
                names.add(parts.get(i));
            }
            DirectoryHandle dir = open.isEmpty() ? root : open.get(open.size() - 1);
            PosixStat st = dir.lstat(parts.get(parts.size() - 1));
            return st == null ? null : new long[] {st.dev(), st.ino(), st.ctimeNanos()};
        } catch (IOException e) {
            return null;
        }
    }

    /** Closes the directories it opened (not the root). */
    @Override
    public void close() {
        while (!open.isEmpty()) {
            open.remove(open.size() - 1).close();
        }
        names.clear();
    }
}

package dev.sluice.engine.fs;

import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.scan.ScanRules;
import dev.sluice.engine.scan.Walker;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Test support: copies a tree with sluice's own scan and fs code (Walker, MetadataReader,
 * MetadataWriter, SpecialFiles, SparseFileWriter): a minimal restore, used to prove those parts
 * together keep everything, and a reference for the order a real restore must follow.
 *
 * <p>Order: entries are created in walk order (parents before children; a hardlink after the
 * first name of its inode). A non-directory's metadata is applied right after it is created;
 * a directory's metadata is applied when the walk leaves it (after its last descendant), so
 * creating children does not disturb its mtime and a 0000 or read-only directory does not
 * block its own restore.
 */
public final class TreeCopy {

    private TreeCopy() {
    }

    /** Copies the tree at {@code source} into the existing empty directory {@code target}. */
    public static void copy(Path source, Path target, boolean restoreOwnership) throws IOException {
        MetadataWriter writer = new MetadataWriter();
        byte[] src = RawPath.bytes(source.toAbsolutePath().normalize());
        byte[] dst = RawPath.bytes(target.toAbsolutePath().normalize());
        Deque<Pending> openDirs = new ArrayDeque<>();
        try (Walker w = new Walker(List.of(source), ScanRules.all())) {
            while (w.hasNext()) {
                ScanEntry e = w.next();
                if (e.problem() != null) {
                    throw new IOException("cannot copy: " + e.problem());
                }
                byte[] path = e.path();
                while (!openDirs.isEmpty() && !isInside(path, openDirs.peek().sourcePath)) {
                    Pending done = openDirs.pop();
                    writer.apply(done.target, done.meta, restoreOwnership);
                }
                Path out = RawPath.of(map(path, src, dst));
                FileMeta m = e.meta();
                switch (m.kind()) {
                    case DIRECTORY -> {
                        if (!Arrays.equals(path, src)) {
                            Files.createDirectory(out);
                        }
                        openDirs.push(new Pending(path, out, m));
                        continue;
                    }
                    case REGULAR -> {
                        if (e.hardlinkTo() != null) {
                            Files.createLink(out, RawPath.of(map(e.hardlinkTo(), src, dst)));
                        } else {
                            copyContent(e.file(), out);
                        }
                    }
                    case SYMLINK -> Files.createSymbolicLink(out, RawPath.linkTarget(m.linkTarget()));
                    case FIFO, CHAR_DEVICE, BLOCK_DEVICE -> {
                        if (e.hardlinkTo() != null) {
                            Files.createLink(out, RawPath.of(map(e.hardlinkTo(), src, dst)));
                        } else {
                            SpecialFiles.mknod(out, m.kind(), m.mode(), m.rdev());
                        }
                    }
                    case SOCKET -> {
                        continue;
                    }
                }
                writer.apply(out, m, restoreOwnership);
            }
        }
        while (!openDirs.isEmpty()) {
            Pending done = openDirs.pop();
            writer.apply(done.target, done.meta, restoreOwnership);
        }
    }

    private record Pending(byte[] sourcePath, Path target, FileMeta meta) {
    }

    private static void copyContent(Path from, Path to) throws IOException {
        try (InputStream in = Files.newInputStream(from, LinkOption.NOFOLLOW_LINKS);
             FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            SparseFileWriter w = new SparseFileWriter(out);
            byte[] buf = new byte[65536 + 123];
            int n;
            while ((n = in.read(buf)) > 0) {
                w.write(buf, 0, n);
            }
            w.finish();
        }
    }

    private static boolean isInside(byte[] path, byte[] dir) {
        return path.length > dir.length && path[dir.length] == '/' && Arrays.equals(path, 0, dir.length, dir, 0, dir.length);
    }

    private static byte[] map(byte[] path, byte[] src, byte[] dst) {
        byte[] out = new byte[dst.length + path.length - src.length];
        System.arraycopy(dst, 0, out, 0, dst.length);
        System.arraycopy(path, src.length, out, dst.length, path.length - src.length);
        return out;
    }

}

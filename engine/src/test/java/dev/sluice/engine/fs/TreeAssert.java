package dev.sluice.engine.fs;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.opentest4j.AssertionFailedError;

/**
 * Test support: asserts that two directory trees hold the same entries with the same content
 * and metadata, and lists every difference when they do not.
 *
 * <p>Deliberately independent of the code under test: it lists directories and reads attributes
 * with the JDK directly (raw names through {@link RawPath} only), compares contents streaming
 * (64 KiB at a time), and reads allocation with {@code stat}. It compares, per relative path:
 * kind; content (regular files); size; mode (07777, not for symlinks); uid/gid; mtime (and
 * optionally atime) at nanosecond precision, or at microseconds for symlinks, whose times the
 * JDK can set only with {@code lutimes}; symlink target bytes; rdev (devices); user xattrs
 * (regular files and directories); hardlink structure (the same groups of names share an inode
 * in both trees); optionally sparseness (the actual file may not allocate more than the expected
 * one plus {@link Options#sparseSlackBytes()}). The roots are compared too (except their names).
 */
public final class TreeAssert {

    private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime,lastAccessTime,dev,ino,nlink,rdev";

    /**
     * What to compare.
     *
     * @param ownership        compare uid and gid
     * @param atime            compare atime (off by default: reading a file may change it)
     * @param sparse           check that actual files allocate no more than expected ones (+ slack)
     * @param sparseSlackBytes allowed extra allocation per file when {@code sparse} is on
     * @param root             compare the metadata of the two root directories themselves
     */
    public record Options(boolean ownership, boolean atime, boolean sparse, long sparseSlackBytes, boolean root) {

        /** Ownership, mtime, everything but atime and sparseness; roots included. */
        public static Options defaults() {
            return new Options(true, false, false, 16 * 1024, true);
        }

        public Options withOwnership(boolean v) {
            return new Options(v, atime, sparse, sparseSlackBytes, root);
        }

        public Options withAtime(boolean v) {
            return new Options(ownership, v, sparse, sparseSlackBytes, root);
        }

        public Options withSparse(boolean v) {
            return new Options(ownership, atime, v, sparseSlackBytes, root);
        }

        public Options withRoot(boolean v) {
            return new Options(ownership, atime, sparse, sparseSlackBytes, v);
        }
    }

    private TreeAssert() {
    }

    /** {@link #assertSameTree(Path, Path, Options)} with {@link Options#defaults()}. */
    public static void assertSameTree(Path expected, Path actual) throws IOException {
        assertSameTree(expected, actual, Options.defaults());
    }

    /** Fails with a list of every difference between the two trees. */
    public static void assertSameTree(Path expected, Path actual, Options options) throws IOException {
        List<String> diffs = differences(expected, actual, options);
        if (!diffs.isEmpty()) {
            throw new AssertionFailedError(diffs.size() + " difference(s) between expected tree " + RawPath.escape(expected)
                    + " and actual tree " + RawPath.escape(actual) + ":\n  " + String.join("\n  ", diffs));
        }
    }

    /** Every difference, one line each, paths relative to the roots with odd bytes escaped. */
    public static List<String> differences(Path expected, Path actual, Options options) throws IOException {
        Map<String, Entry> exp = scan(expected);
        Map<String, Entry> act = scan(actual);
        List<String> diffs = new ArrayList<>();
        TreeSet<String> all = new TreeSet<>(exp.keySet());
        all.addAll(act.keySet());
        for (String key : all) {
            Entry e = exp.get(key);
            Entry a = act.get(key);
            String shown = key.isEmpty() ? "<root>" : RawPath.escape(key.getBytes(StandardCharsets.ISO_8859_1));
            if (a == null) {
                diffs.add(shown + ": missing in actual tree");
                continue;
            }
            if (e == null) {
                diffs.add(shown + ": unexpected in actual tree (a " + a.kind + ")");
                continue;
            }
            if (key.isEmpty() && !options.root()) {
                continue;
            }
            compare(shown, e, a, options, diffs);
        }
        compareHardlinks(exp, act, diffs);
        return diffs;
    }

    private static void compare(String shown, Entry e, Entry a, Options o, List<String> diffs) throws IOException {
        if (e.kind != a.kind) {
            diffs.add(shown + ": kind " + e.kind + " expected, was " + a.kind);
            return;
        }
        if (e.kind != FileKind.SYMLINK && e.mode != a.mode) {
            diffs.add(shown + ": mode 0" + Integer.toOctalString(e.mode) + " expected, was 0" + Integer.toOctalString(a.mode));
        }
        if (o.ownership() && (e.uid != a.uid || e.gid != a.gid)) {
            diffs.add(shown + ": owner " + e.uid + ":" + e.gid + " expected, was " + a.uid + ":" + a.gid);
        }
        long precision = e.kind == FileKind.SYMLINK ? 1000 : 1;
        if (Math.floorDiv(e.mtime, precision) != Math.floorDiv(a.mtime, precision)) {
            diffs.add(shown + ": mtime " + e.mtime + " ns expected, was " + a.mtime);
        }
        if (o.atime() && Math.floorDiv(e.atime, precision) != Math.floorDiv(a.atime, precision)) {
            diffs.add(shown + ": atime " + e.atime + " ns expected, was " + a.atime);
        }
        if (e.kind != FileKind.DIRECTORY && e.size != a.size) {
            diffs.add(shown + ": size " + e.size + " expected, was " + a.size);
        }
        if (e.kind == FileKind.SYMLINK && !Arrays.equals(e.target, a.target)) {
            diffs.add(shown + ": symlink target " + RawPath.escape(e.target) + " expected, was " + RawPath.escape(a.target));
        }
        if ((e.kind == FileKind.CHAR_DEVICE || e.kind == FileKind.BLOCK_DEVICE) && e.rdev != a.rdev) {
            diffs.add(shown + ": rdev " + e.rdev + " expected, was " + a.rdev);
        }
        if (!e.xattrs.equals(a.xattrs)) {
            diffs.add(shown + ": xattrs " + e.xattrs + " expected, were " + a.xattrs);
        }
        if (e.kind == FileKind.REGULAR && e.size == a.size) {
            long at = firstDifference(e.path, a.path);
            if (at >= 0) {
                diffs.add(shown + ": content differs first at byte " + at);
            }
        }
        if (o.sparse() && e.kind == FileKind.REGULAR) {
            long ea = allocatedBytes(e.path);
            long aa = allocatedBytes(a.path);
            if (aa > ea + o.sparseSlackBytes()) {
                diffs.add(shown + ": allocates " + aa + " bytes, expected at most " + ea + " + " + o.sparseSlackBytes());
            }
        }
    }

    private static void compareHardlinks(Map<String, Entry> exp, Map<String, Entry> act, List<String> diffs) {
        Map<String, TreeSet<String>> eg = groups(exp);
        Map<String, TreeSet<String>> ag = groups(act);
        for (Map.Entry<String, TreeSet<String>> g : eg.entrySet()) {
            TreeSet<String> other = ag.getOrDefault(g.getKey(), new TreeSet<>(List.of(g.getKey())));
            if (!g.getValue().equals(other)) {
                diffs.add(escapeKey(g.getKey()) + ": hardlinked with " + escapeKeys(g.getValue())
                        + " expected, was with " + escapeKeys(other));
            }
        }
        for (Map.Entry<String, TreeSet<String>> g : ag.entrySet()) {
            if (!eg.containsKey(g.getKey()) && g.getValue().size() > 1 && exp.containsKey(g.getKey())) {
                diffs.add(escapeKey(g.getKey()) + ": not hardlinked expected, was with " + escapeKeys(g.getValue()));
            }
        }
    }

    /** For every non-directory path, the set of paths in the tree sharing its inode (only sets of 2+). */
    private static Map<String, TreeSet<String>> groups(Map<String, Entry> tree) {
        Map<List<Long>, TreeSet<String>> byInode = new HashMap<>();
        for (Map.Entry<String, Entry> e : tree.entrySet()) {
            if (e.getValue().kind != FileKind.DIRECTORY && e.getValue().nlink > 1) {
                byInode.computeIfAbsent(List.of(e.getValue().dev, e.getValue().ino), k -> new TreeSet<>()).add(e.getKey());
            }
        }
        Map<String, TreeSet<String>> out = new HashMap<>();
        for (TreeSet<String> g : byInode.values()) {
            if (g.size() > 1) {
                for (String p : g) {
                    out.put(p, g);
                }
            }
        }
        return out;
    }

    private static String escapeKey(String key) {
        return RawPath.escape(key.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static String escapeKeys(TreeSet<String> keys) {
        return keys.stream().map(TreeAssert::escapeKey).toList().toString();
    }

    /** -1 when both files have the same bytes, else the offset of the first difference. */
    private static long firstDifference(Path a, Path b) throws IOException {
        try (InputStream x = Files.newInputStream(a, LinkOption.NOFOLLOW_LINKS);
             InputStream y = Files.newInputStream(b, LinkOption.NOFOLLOW_LINKS)) {
            byte[] bx = new byte[65536];
            byte[] by = new byte[65536];
            long offset = 0;
            while (true) {
                int nx = x.readNBytes(bx, 0, bx.length);
                int ny = y.readNBytes(by, 0, by.length);
                int mismatch = Arrays.mismatch(bx, 0, nx, by, 0, ny);
                if (mismatch >= 0) {
                    return offset + mismatch;
                }
                if (nx < bx.length) {
                    return -1;
                }
                offset += nx;
            }
        }
    }

    /**
     * Bytes allocated on disk for {@code file} ({@code st_blocks * 512}), read with
     * {@code stat -L} through an ASCII symlink in the temporary directory, so the file's raw
     * name never passes through a String.
     */
    public static long allocatedBytes(Path file) throws IOException {
        Path dir = Files.createTempDirectory("sluice-stat-");
        Path alias = dir.resolve("f");
        try {
            Files.createSymbolicLink(alias, file.toAbsolutePath());
            Process p = new ProcessBuilder("stat", "-L", "-c", "%b %B", alias.toString())
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            int exit = p.waitFor();
            if (exit != 0) {
                throw new IOException("stat failed for " + RawPath.escape(file) + " (exit " + exit + "): " + out);
            }
            String[] parts = out.split(" ");
            return Long.parseLong(parts[0]) * Long.parseLong(parts[1]);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while running stat", e);
        } finally {
            Files.deleteIfExists(alias);
            Files.delete(dir);
        }
    }

    private static final class Entry {
        Path path;
        FileKind kind;
        int mode;
        int uid;
        int gid;
        long size;
        long mtime;
        long atime;
        long dev;
        long ino;
        long nlink;
        long rdev;
        byte[] target;
        Map<String, String> xattrs = Map.of();
    }

    /** Relative raw path (as ISO-8859-1 String, so sorting is by unsigned bytes) to entry. */
    private static Map<String, Entry> scan(Path root) throws IOException {
        Map<String, Entry> out = new TreeMap<>();
        scan(root, new byte[0], out);
        return out;
    }

    private static void scan(Path p, byte[] rel, Map<String, Entry> out) throws IOException {
        Map<String, Object> a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
        Entry e = new Entry();
        e.path = p;
        int stMode = (Integer) a.get("mode");
        e.kind = FileKind.fromMode(stMode);
        e.mode = stMode & 07777;
        e.uid = (Integer) a.get("uid");
        e.gid = (Integer) a.get("gid");
        e.size = (Long) a.get("size");
        e.mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        e.atime = ((FileTime) a.get("lastAccessTime")).to(TimeUnit.NANOSECONDS);
        e.dev = (Long) a.get("dev");
        e.ino = (Long) a.get("ino");
        e.nlink = ((Number) a.get("nlink")).longValue();
        e.rdev = (Long) a.get("rdev");
        if (e.kind == FileKind.SYMLINK) {
            e.target = RawPath.bytes(Files.readSymbolicLink(p));
        }
        if (e.kind == FileKind.REGULAR || e.kind == FileKind.DIRECTORY) {
            e.xattrs = xattrs(p);
        }
        out.put(new String(rel, StandardCharsets.ISO_8859_1), e);
        if (e.kind == FileKind.DIRECTORY) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path child : ds) {
                    byte[] name = RawPath.fileName(child);
                    byte[] childRel = rel.length == 0 ? name : TreeFixture.join(rel, name);
                    scan(child, childRel, out);
                }
            }
        }
    }

    private static Map<String, String> xattrs(Path p) throws IOException {
        if (!Files.getFileStore(p).supportsFileAttributeView(UserDefinedFileAttributeView.class)) {
            return Map.of();
        }
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
        Map<String, String> out = new TreeMap<>();
        for (String name : v.list()) {
            ByteBuffer buf = ByteBuffer.allocate(v.size(name));
            v.read(name, buf);
            out.put("user." + name, RawPath.escape(Arrays.copyOf(buf.array(), buf.position())));
        }
        return out;
    }

}

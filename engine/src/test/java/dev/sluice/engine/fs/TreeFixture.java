package dev.sluice.engine.fs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Test support: a file tree declared as data and materialised into a directory.
 *
 * <p>Entries are named by their path relative to the tree's root, either as a String (encoded as
 * UTF-8; '/' separates components) or as raw bytes, so names can hold a newline, 0xff or a lone
 * 0xc3. Parent directories are created implicitly (mode 0755). Every entry gets a defined mode
 * (files 0644, directories 0755 unless declared) and defined times with a non-zero nanosecond
 * part (mtime = atime = {@link #BASE_TIME_NANOS} + a per-entry offset unless declared), so
 * comparisons never depend on the umask or the clock.
 *
 * <p>{@link #materialise(Path)} first creates every entry in declaration order, then applies
 * xattrs, modes and times from the deepest entry up, so a directory's times and mode (even 0000)
 * are set after its contents exist. It uses the JDK directly, plus {@link SpecialFiles} for
 * fifos and devices (the JDK cannot create them).
 *
 * <p>{@link #kitchenSink(long)} declares one tree with every kind of entry and awkward name the
 * project promises to preserve; round-trip tests should use it.
 */
public final class TreeFixture {

    /** The default mtime base: 2020-09-13T12:26:40.123456789Z. */
    public static final long BASE_TIME_NANOS = 1_600_000_000_123_456_789L;

    /** Raw bytes of a name that is not valid UTF-8: "bad-" followed by 0xff 0xfe. */
    public static final byte[] INVALID_UTF8 = {'b', 'a', 'd', '-', (byte) 0xff, (byte) 0xfe};
    /** Raw bytes of a name ending in a lone UTF-8 lead byte 0xc3. */
    public static final byte[] LONE_C3 = {'l', 'o', 'n', 'e', '-', (byte) 0xc3};
    /** Raw bytes of a name with a newline inside. */
    public static final byte[] NEWLINE = "new\nline".getBytes(StandardCharsets.US_ASCII);

    private enum Kind { DIR, FILE, SPARSE, SYMLINK, HARDLINK, FIFO, DEVICE }

    /** One data island of a sparse file. */
    public record Island(long offset, int length) {
    }

    private static final class Node {
        final byte[] path;
        final Kind kind;
        byte[] content;
        long size;
        List<Island> islands = List.of();
        long seed;
        byte[] target;
        FileKind deviceKind;
        long rdev;
        Integer mode;
        Long mtime;
        Long atime;
        final Map<String, byte[]> xattrs = new LinkedHashMap<>();

        Node(byte[] path, Kind kind) {
            this.path = path;
            this.kind = kind;
        }
    }

    private final Map<String, Node> nodes = new LinkedHashMap<>();

    private TreeFixture() {
    }

    /** An empty tree (just the root). */
    public static TreeFixture create() {
        return new TreeFixture();
    }

    /** Raw bytes of a relative path given as text. */
    public static byte[] raw(String relative) {
        return relative.getBytes(StandardCharsets.UTF_8);
    }

    /** Joins raw components with '/'. */
    public static byte[] join(byte[]... components) {
        int len = components.length - 1;
        for (byte[] c : components) {
            len += c.length;
        }
        byte[] out = new byte[Math.max(len, 0)];
        int at = 0;
        for (int i = 0; i < components.length; i++) {
            if (i > 0) {
                out[at++] = '/';
            }
            System.arraycopy(components[i], 0, out, at, components[i].length);
            at += components[i].length;
        }
        return out;
    }

    public TreeFixture dir(String path) {
        return dir(raw(path));
    }

    public TreeFixture dir(byte[] path) {
        add(path, Kind.DIR);
        return this;
    }

    /** A regular file with exactly these contents (empty array: empty file). */
    public TreeFixture file(String path, byte[] content) {
        return file(raw(path), content);
    }

    public TreeFixture file(byte[] path, byte[] content) {
        add(path, Kind.FILE).content = content.clone();
        return this;
    }

    /** A regular file with text contents encoded as UTF-8. */
    public TreeFixture file(String path, String content) {
        return file(raw(path), content.getBytes(StandardCharsets.UTF_8));
    }

    /** A regular file with a raw name and text contents encoded as UTF-8. */
    public TreeFixture file(byte[] path, String content) {
        return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A regular file of {@code size} pseudo-random bytes from {@code seed}. */
    public TreeFixture randomFile(String path, int size, long seed) {
        return file(raw(path), random(size, seed));
    }

    /**
     * A sparse file of logical length {@code size}: holes everywhere except the islands, which
     * hold pseudo-random bytes from {@code seed}.
     */
    public TreeFixture sparseFile(String path, long size, long seed, Island... islands) {
        Node n = add(raw(path), Kind.SPARSE);
        n.size = size;
        n.seed = seed;
        n.islands = List.of(islands);
        for (Island i : islands) {
            if (i.offset() < 0 || i.offset() + i.length() > size) {
                throw new IllegalArgumentException("island " + i + " lies outside a file of " + size + " bytes");
            }
        }
        return this;
    }

    public TreeFixture symlink(String path, String target) {
        return symlink(raw(path), raw(target));
    }

    /** A symlink with raw target bytes (may dangle, may be absolute, kept byte for byte). */
    public TreeFixture symlink(byte[] path, byte[] target) {
        add(path, Kind.SYMLINK).target = target.clone();
        return this;
    }

    /** A second name for the file at {@code existing}, which must be declared before. */
    public TreeFixture hardlink(String path, String existing) {
        return hardlink(raw(path), raw(existing));
    }

    public TreeFixture hardlink(byte[] path, byte[] existing) {
        if (!nodes.containsKey(key(existing))) {
            throw new IllegalArgumentException("hardlink to undeclared " + RawPath.escape(existing));
        }
        add(path, Kind.HARDLINK).target = existing.clone();
        return this;
    }

    public TreeFixture fifo(String path) {
        return fifo(raw(path));
    }

    public TreeFixture fifo(byte[] path) {
        add(path, Kind.FIFO);
        return this;
    }

    /** A character or block device node (needs root to materialise). */
    public TreeFixture device(String path, FileKind kind, long major, long minor) {
        Node n = add(raw(path), Kind.DEVICE);
        n.deviceKind = kind;
        n.rdev = SpecialFiles.makedev(major, minor);
        return this;
    }

    /** {@code levels} nested directories named d0/d1/... under {@code path}, with a file at the bottom. */
    public TreeFixture deep(String path, int levels) {
        StringBuilder sb = new StringBuilder(path);
        for (int i = 0; i < levels; i++) {
            sb.append("/d").append(i);
        }
        return file(sb + "/bottom", "deep");
    }

    public TreeFixture mode(String path, int mode) {
        return mode(raw(path), mode);
    }

    public TreeFixture mode(byte[] path, int mode) {
        node(path).mode = mode;
        return this;
    }

    /** Sets mtime and atime (nanoseconds since the epoch). */
    public TreeFixture times(String path, long mtimeNanos, long atimeNanos) {
        Node n = node(raw(path));
        n.mtime = mtimeNanos;
        n.atime = atimeNanos;
        return this;
    }

    /** Adds a user xattr; {@code name} includes the namespace, e.g. "user.comment". */
    public TreeFixture xattr(String path, String name, byte[] value) {
        if (!name.startsWith("user.")) {
            throw new IllegalArgumentException("only user.* xattrs can be set through the JDK: " + name);
        }
        node(raw(path)).xattrs.put(name, value.clone());
        return this;
    }

    /**
     * One tree with every kind of entry and name the project promises to keep: random, empty and
     * sparse files, symlinks (relative, absolute, dangling, odd target bytes), hardlinks, a fifo,
     * xattrs (with binary values), modes 0000/0600/4755/2755/1777, ns times, names with newline,
     * space, 0xff and a lone 0xc3, and a 100-level deep directory. Device nodes are left out
     * (they need root); add them with {@link #device}.
     */
    public static TreeFixture kitchenSink(long seed) {
        TreeFixture t = create()
                .randomFile("data/random.bin", 200_000, seed)
                .file("data/empty", new byte[0])
                .file("data/hello.txt", "hello\n")
                .sparseFile("data/sparse.img", 64L << 20, seed + 1,
                        new Island(0, 100), new Island(5L << 20, 8192), new Island((64L << 20) - 10, 10))
                .sparseFile("data/hole-at-end.img", 1L << 20, seed + 2, new Island(4096, 4096))
                .symlink("links/relative", "../data/hello.txt")
                .symlink("links/absolute", "/nonexistent/sluice/absolute")
                .symlink("links/dangling", "does/not/exist")
                .symlink(raw("links/odd-target"), join(raw("x//y/"), INVALID_UTF8))
                .hardlink("links/hard-a", "data/hello.txt")
                .hardlink("links/hard-b", "data/hello.txt")
                .randomFile("links/pair-1", 5000, seed + 3)
                .hardlink("links/pair-2", "links/pair-1")
                .fifo("special/fifo")
                .file("modes/m0000", "zero")
                .file("modes/m0600", "six")
                .file("modes/m4755", "suid")
                .file("modes/m2755", "sgid")
                .dir("modes/sticky")
                .dir("modes/closed")
                .file("modes/closed/inside", "inside a 0000 dir")
                .mode("modes/m0000", 0)
                .mode("modes/m0600", 0600)
                .mode("modes/m4755", 04755)
                .mode("modes/m2755", 02755)
                .mode("modes/sticky", 01777)
                .mode("modes/closed", 0)
                .file("times/old", "old")
                .times("times/old", -1_000_000_123L, 5_000_000_001L)
                .file("times/future", "future")
                .times("times/future", 4_102_444_800_999_999_999L, 4_102_444_800_000_000_001L)
                .file("xattrs/tagged", "tagged")
                .xattr("xattrs/tagged", "user.comment", "a comment".getBytes(StandardCharsets.UTF_8))
                .xattr("xattrs/tagged", "user.binary", new byte[] {0, 1, (byte) 0xff, 0})
                .dir("xattrs/dir")
                .xattr("xattrs/dir", "user.on-dir", new byte[] {42})
                .file(join(raw("names"), NEWLINE), "newline")
                .file("names/with space", "space")
                .file(join(raw("names"), INVALID_UTF8), "invalid utf-8")
                .file(join(raw("names"), LONE_C3, raw("lone c3")), "lone c3")
                .dir(join(raw("names"), LONE_C3, INVALID_UTF8))
                .file(join(raw("names"), LONE_C3, INVALID_UTF8, NEWLINE), "nested odd names")
                .file("names/ü-valid-utf8", "valid")
                .deep("deep", 100);
        return t;
    }

    /** The relative raw paths of all declared entries, implicit parents included. */
    public List<byte[]> paths() {
        List<byte[]> out = new ArrayList<>();
        for (Node n : nodes.values()) {
            out.add(n.path.clone());
        }
        return out;
    }

    /** Creates the tree under {@code root}, which must exist (its own metadata is left alone). */
    public void materialise(Path root) throws IOException {
        for (Node n : nodes.values()) {
            create(root, n);
        }
        List<Node> deepestFirst = new ArrayList<>(nodes.values());
        deepestFirst.sort(Comparator.comparing((Node n) -> n.path, TreeFixture::comparePaths).reversed());
        int index = 0;
        for (Node n : deepestFirst) {
            applyMetadata(root, n, index++);
        }
    }

    private void create(Path root, Node n) throws IOException {
        Path p = resolve(root, n.path);
        switch (n.kind) {
            case DIR -> Files.createDirectory(p);
            case FILE -> Files.write(p, n.content, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            case SPARSE -> {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    Random r = new Random(n.seed);
                    for (Island i : n.islands) {
                        byte[] data = new byte[i.length()];
                        r.nextBytes(data);
                        ByteBuffer buf = ByteBuffer.wrap(data);
                        long at = i.offset();
                        while (buf.hasRemaining()) {
                            at += ch.write(buf, at);
                        }
                    }
                    if (ch.size() < n.size) {
                        ch.write(ByteBuffer.wrap(new byte[1]), n.size - 1);
                    }
                }
            }
            case SYMLINK -> Files.createSymbolicLink(p, RawPath.linkTarget(n.target));
            case HARDLINK -> Files.createLink(p, resolve(root, n.target));
            case FIFO -> SpecialFiles.mkfifo(p, 0644);
            case DEVICE -> SpecialFiles.mknod(p, n.deviceKind, 0600, n.rdev);
        }
    }

    private void applyMetadata(Path root, Node n, int index) throws IOException {
        Path p = resolve(root, n.path);
        if (n.kind == Kind.HARDLINK) {
            return;
        }
        if (!n.xattrs.isEmpty()) {
            UserDefinedFileAttributeView v =
                    Files.getFileAttributeView(p, UserDefinedFileAttributeView.class, LinkOption.NOFOLLOW_LINKS);
            for (Map.Entry<String, byte[]> x : n.xattrs.entrySet()) {
                v.write(x.getKey().substring("user.".length()), ByteBuffer.wrap(x.getValue()));
            }
        }
        long mtime = n.mtime != null ? n.mtime : BASE_TIME_NANOS + index * 1_000_001_001L;
        long atime = n.atime != null ? n.atime : mtime;
        if (n.kind != Kind.SYMLINK) {
            int mode = n.mode != null ? n.mode : (n.kind == Kind.DIR ? 0755 : 0644);
            Files.setAttribute(p, "unix:mode", mode);
        }
        if (n.kind == Kind.FIFO || n.kind == Kind.DEVICE) {
            SpecialFiles.setTimes(p, atime, mtime);
        } else {
            if (n.kind == Kind.SYMLINK) {
                // lutimes keeps microseconds only; declare what can be kept.
                mtime -= Math.floorMod(mtime, 1000L);
                atime -= Math.floorMod(atime, 1000L);
            }
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(mtime, TimeUnit.NANOSECONDS), FileTime.from(atime, TimeUnit.NANOSECONDS), null);
        }
    }

    private Node add(byte[] path, Kind kind) {
        checkRelative(path);
        int slash = lastSlash(path);
        if (slash > 0) {
            byte[] parent = Arrays.copyOf(path, slash);
            Node existing = nodes.get(key(parent));
            if (existing == null) {
                add(parent, Kind.DIR);
            } else if (existing.kind != Kind.DIR) {
                throw new IllegalArgumentException(RawPath.escape(parent) + " is declared as a " + existing.kind + ", not a directory");
            }
        }
        String k = key(path);
        if (nodes.containsKey(k)) {
            throw new IllegalArgumentException(RawPath.escape(path) + " is declared twice");
        }
        Node n = new Node(path.clone(), kind);
        nodes.put(k, n);
        return n;
    }

    private Node node(byte[] path) {
        Node n = nodes.get(key(path));
        if (n == null) {
            throw new IllegalArgumentException(RawPath.escape(path) + " is not declared");
        }
        return n;
    }

    private static void checkRelative(byte[] path) {
        if (path.length == 0 || path[0] == '/' || path[path.length - 1] == '/') {
            throw new IllegalArgumentException("fixture path " + RawPath.escape(path) + " must be relative, without a trailing '/'");
        }
        int start = 0;
        for (int i = 0; i <= path.length; i++) {
            if (i == path.length || path[i] == '/') {
                RawPath.checkName(Arrays.copyOfRange(path, start, i));
                start = i + 1;
            }
        }
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    /** Resolves a relative raw path under {@code root}. */
    public static Path resolve(Path root, byte[] relative) {
        byte[] base = RawPath.bytes(root);
        byte[] full = new byte[base.length + 1 + relative.length];
        System.arraycopy(base, 0, full, 0, base.length);
        full[base.length] = '/';
        System.arraycopy(relative, 0, full, base.length + 1, relative.length);
        return RawPath.of(full);
    }

    private static String key(byte[] path) {
        return new String(path, StandardCharsets.ISO_8859_1);
    }

    private static int comparePaths(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        for (int i = 0; i < n; i++) {
            int x = a[i] == '/' ? 0 : a[i] & 0xff;
            int y = b[i] == '/' ? 0 : b[i] & 0xff;
            if (x != y) {
                return x - y;
            }
        }
        return a.length - b.length;
    }

    /** {@code size} pseudo-random bytes from {@code seed}. */
    public static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }
}

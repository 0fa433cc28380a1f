package dev.sluice.engine.scan;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.fs.OpenDirectory;
import dev.sluice.engine.fs.RawPath;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * Walks roots depth-first in {@link PathOrder}, applying {@link ScanRules}, and yields one
 * {@link ScanEntry} per entry with its full metadata, or with the {@link FileProblem} that kept it
 * from being read; problems never end the walk.
 *
 * <p>Roots are made absolute and normalized (lexically), deduplicated, roots inside other roots
 * are dropped, and the rest are sorted. Each root is yielded itself (lstat semantics: a root
 * that is a symlink is yielded as a symlink and not followed), then its tree in pre-order. A
 * directory's names are read fully and sorted by unsigned bytes when the directory itself is
 * read, before it is yielded; so a directory that cannot be listed is yielded with an
 * UNREADABLE problem (and no metadata) instead of its metadata. Memory is proportional to the
 * entries of the directories currently open, plus one record per multiply-linked inode whose
 * other names have not all been seen yet.
 *
 * <p>Not thread-safe; the walk does blocking I/O in {@link #hasNext()}.
 */
public final class Walker implements Iterator<ScanEntry>, Closeable {

    static final byte[] CACHEDIR_TAG = "CACHEDIR.TAG".getBytes(StandardCharsets.US_ASCII);
    static final byte[] CACHEDIR_SIGNATURE =
            "Signature: 8a477f597d28d172789f06886806bc55".getBytes(StandardCharsets.US_ASCII);

    private final List<Path> roots;
    private final ScanRules rules;
    private final List<Glob> includes;
    private final List<Glob> excludes;
    private final MetadataReader reader = new MetadataReader();
    private final boolean deferFileXattrs;
    private final ArrayDeque<Frame> stack = new ArrayDeque<>();
    private final Map<Inode, Links> links = new HashMap<>();
    private int nextRoot;
    private ScanEntry lookahead;
    private boolean done;
    private long yielded;

    /** A directory being walked: its sorted names and how far we got. */
    private static final class Frame {
        final Path dir;
        final OpenDirectory open;
        final byte[][] names;
        final long rootDev;
        final boolean included;
        int next;

        Frame(Path dir, OpenDirectory open, byte[][] names, long rootDev, boolean included) {
            this.dir = dir;
            this.open = open;
            this.names = names;
            this.rootDev = rootDev;
            this.included = included;
        }
    }

    private record Inode(long dev, long ino) {
    }

    /** The first name of a multiply-linked inode and how many more names we still expect. */
    private static final class Links {
        final byte[] first;
        long remaining;

        Links(byte[] first, long remaining) {
            this.first = first;
            this.remaining = remaining;
        }
    }

    public Walker(List<Path> roots, ScanRules rules) {
        this(roots, rules, false);
    }

    /**
     * A walker that, with {@code deferFileXattrs}, leaves regular files' xattrs empty: the
     * consumer fills them in, from the parent snapshot when size, times and inode are unchanged
     * (an xattr change moves ctime) or with {@link MetadataReader#xattrs} otherwise.
     */
    public Walker(List<Path> roots, ScanRules rules, boolean deferFileXattrs) {
        this.deferFileXattrs = deferFileXattrs;
        this.rules = Objects.requireNonNull(rules, "rules");
        this.includes = rules.compiledIncludes();
        this.excludes = rules.compiledExcludes();
        this.roots = normalizeRoots(roots);
    }

    /** The roots this walker will visit, in order, after normalization and deduplication. */
    public List<Path> roots() {
        return roots;
    }

    static List<Path> normalizeRoots(List<Path> roots) {
        Objects.requireNonNull(roots, "roots");
        List<byte[]> raw = new ArrayList<>();
        for (Path r : roots) {
            raw.add(RawPath.bytes(Objects.requireNonNull(r, "a root").toAbsolutePath().normalize()));
        }
        raw.sort(PathOrder.COMPARATOR);
        List<Path> out = new ArrayList<>();
        byte[] last = null;
        for (byte[] r : raw) {
            if (last != null && (Arrays.equals(last, r) || isInside(r, last))) {
                continue;
            }
            out.add(RawPath.of(r));
            last = r;
        }
        return List.copyOf(out);
    }

    private static boolean isInside(byte[] path, byte[] dir) {
        if (dir.length == 1 && dir[0] == '/') {
            return true;
        }
        return path.length > dir.length && path[dir.length] == '/'
                && Arrays.equals(path, 0, dir.length, dir, 0, dir.length);
    }

    @Override
    public boolean hasNext() {
        if (lookahead == null && !done) {
            lookahead = advance();
            if (lookahead == null) {
                done = true;
                clearStack();
            }
        }
        return lookahead != null;
    }

    @Override
    public ScanEntry next() {
        if (!hasNext()) {
            throw new NoSuchElementException("the walk is complete");
        }
        ScanEntry e = lookahead;
        lookahead = null;
        yielded++;
        return e;
    }

    /** How many entries {@link #next()} has returned so far. */
    public long yielded() {
        return yielded;
    }

    /** Ends the walk and drops the open directory listings; later calls to hasNext return false. */
    @Override
    public void close() {
        done = true;
        lookahead = null;
        clearStack();
        links.clear();
    }

    private void clearStack() {
        while (!stack.isEmpty()) {
            stack.pop().open.close();
        }
    }

    private ScanEntry advance() {
        while (true) {
            Frame top = stack.peek();
            if (top != null) {
                if (top.next == top.names.length) {
                    stack.pop().open.close();
                    continue;
                }
                byte[] name = top.names[top.next];
                top.names[top.next++] = null;
                ScanEntry e = visit(RawPath.resolve(top.dir, name), top.open, name, top.rootDev, top.included);
                if (e != null) {
                    return e;
                }
            } else if (nextRoot < roots.size()) {
                return visit(roots.get(nextRoot++), null, null, 0, false);
            } else {
                return null;
            }
        }
    }

    /**
     * Visits {@code path}: a root when {@code parent} is null, else the entry {@code name} of the open directory
     * {@code parent}.
     */
    private ScanEntry visit(Path path, OpenDirectory parent, byte[] name, long rootDev, boolean parentIncluded) {
        boolean isRoot = parent == null;
        byte[] raw = RawPath.bytes(path);
        if (!isRoot && excluded(raw, false, false)) {
            return null;
        }
        FileMeta meta;
        try {
            meta = isRoot ? reader.read(path, !deferFileXattrs) : reader.readAt(parent, name, path, !deferFileXattrs);
        } catch (NoSuchFileException e) {
            return ScanEntry.failed(path, FileProblem.Kind.VANISHED,
                    isRoot ? "root does not exist" : "vanished after its directory was listed");
        } catch (AccessDeniedException e) {
            return ScanEntry.failed(path, FileProblem.Kind.UNREADABLE, "permission denied: " + e.getMessage());
        } catch (IOException e) {
            return ScanEntry.failed(path, FileProblem.Kind.UNREADABLE, e.toString());
        }
        boolean isDir = meta.kind() == FileKind.DIRECTORY;
        if (!isRoot && excluded(raw, isDir, true)) {
            return null;
        }
        boolean included = includes.isEmpty() || parentIncluded || matchesInclude(raw, isDir);
        if (!isDir) {
            if (!included && !isRoot) {
                return null;
            }
            return ScanEntry.of(path, meta, hardlinkTarget(raw, meta));
        }
        long dev = isRoot ? meta.dev() : rootDev;
        if (rules.oneFileSystem() && meta.dev() != dev) {
            return ScanEntry.of(path, meta, null);
        }
        byte[][] names;
        OpenDirectory open;
        try {
            open = OpenDirectory.open(path);
            try {
                names = list(open);
            } catch (IOException | RuntimeException e) {
                open.close();
                throw e;
            }
        } catch (NoSuchFileException e) {
            return ScanEntry.failed(path, FileProblem.Kind.VANISHED, "directory vanished before it was listed");
        } catch (AccessDeniedException e) {
            return ScanEntry.failed(path, FileProblem.Kind.UNREADABLE, "cannot list directory: permission denied");
        } catch (IOException e) {
            return ScanEntry.failed(path, FileProblem.Kind.UNREADABLE, "cannot list directory: " + e);
        }
        if (rules.excludeCaches() && isCacheDirectory(path, names)) {
            names = new byte[][] {CACHEDIR_TAG};
        }
        stack.push(new Frame(path, open, names, dev, included && !includes.isEmpty()));
        return ScanEntry.of(path, meta, null);
    }

    private boolean excluded(byte[] raw, boolean isDir, boolean kindKnown) {
        for (Glob g : excludes) {
            if (g.directoryOnly() == kindKnown && g.matches(raw, isDir)) {
                return true;
            }
        }
        return false;
    }

    private boolean matchesInclude(byte[] raw, boolean isDir) {
        for (Glob g : includes) {
            if (g.matches(raw, isDir)) {
                return true;
            }
        }
        return false;
    }

    private byte[] hardlinkTarget(byte[] raw, FileMeta meta) {
        if (meta.nlink() <= 1) {
            return null;
        }
        Inode key = new Inode(meta.dev(), meta.ino());
        Links seen = links.get(key);
        if (seen == null) {
            links.put(key, new Links(raw, meta.nlink() - 1));
            return null;
        }
        if (--seen.remaining <= 0) {
            links.remove(key);
        }
        return seen.first;
    }

    private static byte[][] list(OpenDirectory dir) throws IOException {
        byte[][] out = dir.names().toArray(new byte[0][]);
        Arrays.sort(out, PathOrder::compareNames);
        return out;
    }

    /**
     * True when {@code names} holds CACHEDIR.TAG and it is a regular file starting with the
     * signature. A tag that cannot be read does not mark the directory: the walk then goes on
     * normally and the tag file itself is reported with its problem when it is visited.
     */
    private static boolean isCacheDirectory(Path dir, byte[][] names) {
        if (Arrays.binarySearch(names, CACHEDIR_TAG, PathOrder::compareNames) < 0) {
            return false;
        }
        Path tag = RawPath.resolve(dir, CACHEDIR_TAG);
        if (!Files.isRegularFile(tag, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        try (InputStream in = Files.newInputStream(tag, LinkOption.NOFOLLOW_LINKS)) {
            byte[] head = in.readNBytes(CACHEDIR_SIGNATURE.length);
            return Arrays.equals(head, CACHEDIR_SIGNATURE);
        } catch (IOException e) {
            return false;
        }
    }
}

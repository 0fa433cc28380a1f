package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.PosixStat;
import dev.sluice.engine.fs.RawDescriptor;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.fs.Xattr;
import dev.sluice.engine.scan.PathOrder;
import dev.sluice.engine.scan.RuleMatcher;
import dev.sluice.engine.scan.XattrJournal;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One run of a mirror receiver over a target directory, in either layout; see {@link MirrorTarget} and
 * docs/mirror.md. Not thread-safe: calls must come one at a time.
 */
final class TargetRun implements MirrorTarget {

    static final String TEMP_PREFIX = ".sluice-tmp-";
    static final String PARTIAL_PREFIX = ".partial-";
    static final Pattern SNAPSHOT_NAME = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{6}Z(-\\d{1,9})?");
    static final DateTimeFormatter NAME_FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private enum State { OPEN, FAILED, FINISHED, ABORTED }

    /** A directory on the current path of the run. */
    private static final class Level {
        final byte[] path;
        final DirectoryHandle dir;
        final DirectoryHandle basis;
        FileMeta meta;
        final List<byte[]> sent = new ArrayList<>();
        /** Files of this directory still being written. */
        int writers;
        /** The run moved past this directory while files were being written; the last one applies its metadata. */
        boolean popped;

        Level(byte[] path, DirectoryHandle dir, DirectoryHandle basis, FileMeta meta) {
            this.path = path;
            this.dir = dir;
            this.basis = basis;
            this.meta = meta;
        }
    }

    /** A multiply-linked file of this run that later hardlinks may name. */
    private static final class Linkable {
        final long dev;
        final long ino;
        long remaining;

        Linkable(long dev, long ino, long remaining) {
            this.dev = dev;
            this.ino = ino;
            this.remaining = remaining;
        }
    }

    private final MirrorOptions options;
    private final MirrorLimits limits;
    private final boolean superuser;
    private final boolean fake;
    private final RuleMatcher protect;
    private final DirectoryHandle top;
    private final DirectoryHandle basisTop;
    private final DirectoryHandle treeRoot;
    private final String finalName;
    private final byte[] partialName;
    private final ArrayDeque<Level> levels = new ArrayDeque<>();
    private final Map<String, Linkable> linkable = new HashMap<>();
    private final Map<String, Writer> inFlight = new HashMap<>();
    private final String tempPrefix;
    private int tempCounter;
    private State state = State.OPEN;
    private byte[] last;
    private long entries;
    private long filesWritten;
    private long filesKept;
    private long bytesWritten;
    private long bytesCopied;
    private long deleted;
    /** Facts about xattrs from the last completed run and those this run learns (see {@link XattrJournal}). */
    private XattrJournal.Pass journal = XattrJournal.pass(null);

    private TargetRun(MirrorOptions options, boolean superuser, DirectoryHandle top, DirectoryHandle basisTop,
            DirectoryHandle treeRoot, String finalName) {
        this.options = options;
        this.limits = options.limits();
        this.superuser = superuser;
        this.fake = options.fakeSuper() && !superuser;
        this.protect = new RuleMatcher(options.protect());
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        this.tempPrefix = HexFormat.of().formatHex(r);
        this.top = top;
        this.basisTop = basisTop;
        this.treeRoot = treeRoot;
        this.finalName = finalName;
        this.partialName = finalName == null ? null : (PARTIAL_PREFIX + finalName).getBytes(StandardCharsets.US_ASCII);
        levels.addLast(new Level(new byte[0], treeRoot, options.layout() == MirrorOptions.Layout.IN_PLACE ? treeRoot : basisTop,
                null));
    }

    /** Whether this process's effective uid is 0 (the owner of /proc/self). */
    static boolean runningAsRoot() throws IOException {
        return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    }

    static TargetRun open(Path root, MirrorOptions options, Clock clock, boolean superuser) throws IOException {
        return open(root, options, clock, superuser, null);
    }

    /**
     * @param journal where the target's xattr journal is kept between runs (a cache outside the target; null for
     *     none)
     */
    static TargetRun open(Path root, MirrorOptions options, Clock clock, boolean superuser, Path journal)
            throws IOException {
        TargetRun run = open0(root, options, clock, superuser);
        run.journal = XattrJournal.pass(journal);
        return run;
    }

    private static TargetRun open0(Path root, MirrorOptions options, Clock clock, boolean superuser)
            throws IOException {
        Files.createDirectories(root);
        DirectoryHandle top = DirectoryHandle.openRoot(root);
        try {
            if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
                return new TargetRun(options, superuser, top, null, top, null);
            }
            List<String> complete = new ArrayList<>();
            for (byte[] n : top.list()) {
                String s = new String(n, StandardCharsets.ISO_8859_1);
                if (s.startsWith(PARTIAL_PREFIX)) {
                    PosixStat st = top.lstat(n);
                    if (st != null) {
                        top.deleteTree(n, st);
                    }
                } else if (SNAPSHOT_NAME.matcher(s).matches() && isDirectory(top, n)) {
                    complete.add(s);
                }
            }
            complete.sort(TargetRun::compareSnapshotNames);
            String newest = complete.isEmpty() ? null : complete.get(complete.size() - 1);
            String name = NAME_FORMAT.format(clock.instant());
            for (int i = 2; complete.contains(name) || newest != null && compareSnapshotNames(name, newest) <= 0; i++) {
                name = NAME_FORMAT.format(clock.instant()) + "-" + i;
                if (newest != null && compareSnapshotNames(name, newest) <= 0 && i > 1000) {
                    throw new IOException("the newest snapshot " + newest + " in " + RawPath.escape(root)
                            + " is dated after the clock's time " + clock.instant() + "; refusing to name a new one before it");
                }
            }
            DirectoryHandle basis = newest == null ? null : top.openDirectory(newest.getBytes(StandardCharsets.ISO_8859_1));
            byte[] partial = (PARTIAL_PREFIX + name).getBytes(StandardCharsets.US_ASCII);
            DirectoryHandle tree;
            try {
                top.mkdir(partial);
                tree = top.openDirectory(partial);
            } catch (IOException | RuntimeException e) {
                if (basis != null) {
                    basis.close();
                }
                throw e;
            }
            return new TargetRun(options, superuser, top, basis, tree, name);
        } catch (IOException | RuntimeException e) {
            top.close();
            throw e;
        }
    }

    private static boolean isDirectory(DirectoryHandle dir, byte[] name) throws IOException {
        PosixStat st = dir.lstat(name);
        return st != null && st.isDirectory();
    }

    /** Orders snapshot names by time, then by their numeric "-N" suffix. */
    static int compareSnapshotNames(String a, String b) {
        int c = a.substring(0, 18).compareTo(b.substring(0, 18));
        if (c != 0) {
            return c;
        }
        return Long.compare(suffix(a), suffix(b));
    }

    private static long suffix(String name) {
        return name.length() > 18 ? Long.parseLong(name.substring(19)) : 1;
    }

    // ---- entries -------------------------------------------------------------------------------------------

    @Override
    public Optional<Basis> basis(byte[] path) throws IOException {
        checkOpen();
        EntryPath e = refuseOnError(() -> EntryPath.check(path, limits, "basis for"));
        DirectoryHandle dir = null;
        boolean own = false;
        for (var it = levels.descendingIterator(); it.hasNext(); ) {
            Level l = it.next();
            if (Arrays.equals(l.path, e.parent())) {
                dir = l.basis;
                break;
            }
        }
        if (dir == null && !onStack(e.parent())) {
            DirectoryHandle from = options.layout() == MirrorOptions.Layout.IN_PLACE ? treeRoot : basisTop;
            if (from == null) {
                return Optional.empty();
            }
            dir = walk(from, e.parent());
            own = true;
        }
        if (dir == null) {
            return Optional.empty();
        }
        try {
            byte[] raw = e.raw();
            return Optional.ofNullable(BasisFile.open(dir, e.name(), fake,
                    (dev, ino, ctime) -> journal.find(raw, dev, ino, ctime)));
        } finally {
            if (own) {
                dir.close();
            }
        }
    }

    private boolean onStack(byte[] path) {
        for (Level l : levels) {
            if (Arrays.equals(l.path, path)) {
                return true;
            }
        }
        return false;
    }

    /** Opens the directory {@code relative} below {@code from}, one component at a time; null when it is not there. */
    private static DirectoryHandle walk(DirectoryHandle from, byte[] relative) throws IOException {
        DirectoryHandle cur = null;
        try {
            for (byte[] c : EntryPath.components(relative)) {
                DirectoryHandle next = (cur == null ? from : cur).openDirectory(c);
                if (cur != null) {
                    cur.close();
                }
                cur = next;
            }
        } catch (NoSuchFileException e) {
            if (cur != null) {
                cur.close();
            }
            return null;
        } catch (IOException e) {
            if (cur != null) {
                cur.close();
            }
            int errno = NativeCalls.errno(e);
            if (errno == NativeCalls.ELOOP || errno == NativeCalls.ENOTDIR) {
                return null;
            }
            throw e;
        }
        if (cur == null) {
            return from.share();
        }
        return cur;
    }

    @Override
    public void directory(byte[] path, FileMeta meta) throws IOException {
        checkOpen();
        requireKind(meta, path, FileKind.DIRECTORY);
        if (path != null && path.length == 0) {
            if (last != null) {
                fail("the target's top directory (the empty path) must come first, before "
                        + RawPath.escape(last));
            }
            last = path.clone();
            levels.getFirst().meta = meta;
            return;
        }
        EntryPath e = enter(path, "directory");
        Level parent = levels.getLast();
        DirectoryHandle child;
        boolean made = false;
        if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
            PosixStat st = parent.dir.lstat(e.name());
            if (st != null && !st.isDirectory()) {
                parent.dir.unlink(e.name());
                st = null;
            }
            if (st == null) {
                parent.dir.mkdir(e.name());
                made = true;
            } else if (!superuser && (st.mode() & 0700) != 0700) {
                parent.dir.grantOwnerAccess(e.name());
            }
        } else {
            parent.dir.mkdir(e.name());
        }
        child = parent.dir.openDirectory(e.name());
        DirectoryHandle basis;
        if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
            // a directory this run just made holds no basis: its files are not looked up one by one
            basis = made ? null : child;
        } else {
            try {
                basis = parent.basis == null ? null : openIfDirectory(parent.basis, e.name());
            } catch (IOException | RuntimeException ex) {
                child.close();
                throw ex;
            }
        }
        levels.addLast(new Level(e.raw(), child, basis, meta));
    }

    private static DirectoryHandle openIfDirectory(DirectoryHandle dir, byte[] name) throws IOException {
        try {
            return dir.openDirectory(name);
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            int errno = NativeCalls.errno(e);
            if (errno == NativeCalls.ELOOP || errno == NativeCalls.ENOTDIR) {
                return null;
            }
            throw e;
        }
    }

    @Override
    public FileWriter file(byte[] path, FileMeta meta) throws IOException {
        checkOpen();
        requireKind(meta, path, FileKind.REGULAR);
        EntryPath e = enter(path, "file");
        Level parent = levels.getLast();
        return new Writer(e, meta, parent, parent.dir.share(), parent.basis == null ? null : parent.basis.share());
    }

    @Override
    public void keep(byte[] path, FileMeta meta) throws IOException {
        keep(path, meta, null);
    }

    @Override
    public void keep(byte[] path, FileMeta meta, Basis opened) throws IOException {
        checkOpen();
        requireKind(meta, path, FileKind.REGULAR);
        EntryPath e = enter(path, "kept file");
        Level parent = levels.getLast();
        BasisFile basis;
        if (parent.basis != null && opened instanceof BasisFile b && b.openedAs(parent.basis, e.name())) {
            basis = b;
        } else {
            basis = parent.basis == null ? null : BasisFile.open(parent.basis, e.name(), fake);
        }
        if (basis == null) {
            fail("kept file " + e.shown() + ": the receiver has no basis for it");
        }
        try {
            if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
                if (sameMeta(basis.meta(), meta)) {
                    learn(e, basis.stat(), basis.diskXattrs());
                } else {
                    applyMeta(basis.fd(), e.shown(), meta, false);
                    learn(e, NativeCalls.fstat(basis.fd(), e.shown()), diskXattrs(meta));
                }
                remember(e, meta, basis.stat().dev(), basis.stat().ino());
            } else if (sameMeta(basis.meta(), meta)) {
                // the new tree is this run's own and paths come once each: link straight to the final name
                parent.dir.link(e.name(), parent.basis, e.name());
                PosixStat linked = parent.dir.lstat(e.name());
                if (linked == null || linked.ino() != basis.stat().ino() || linked.dev() != basis.stat().dev()) {
                    if (linked != null) {
                        parent.dir.unlink(e.name());
                    }
                    throw new IOException("basis file " + e.shown() + " changed while it was being linked into the new snapshot");
                }
                learn(e, linked, basis.diskXattrs());
                remember(e, meta, linked.dev(), linked.ino());
            } else {
                long written = filesWritten;
                long bytes = bytesWritten;
                long copied = bytesCopied;
                try (Writer w = new Writer(e, meta, parent, parent.dir.share(), parent.basis.share())) {
                    w.copyFromBasis(0, basis.meta().size());
                    w.commit();
                }
                filesWritten = written;
                bytesWritten = bytes;
                bytesCopied = copied;
            }
        } finally {
            basis.close();
        }
        filesKept++;
    }

    @Override
    public void symlink(byte[] path, byte[] target, FileMeta meta) throws IOException {
        checkOpen();
        requireKind(meta, path, FileKind.SYMLINK);
        EntryPath e = enter(path, "symlink");
        if (target == null || target.length == 0) {
            fail("symlink " + e.shown() + ": the target is empty");
        }
        if (target.length > limits.maxLinkTarget()) {
            fail("symlink " + e.shown() + ": the target has " + target.length
                    + " bytes, more than the limit of " + limits.maxLinkTarget());
        }
        for (byte b : target) {
            if (b == 0) {
                fail("symlink " + e.shown() + ": the target contains a NUL byte");
            }
        }
        Level parent = levels.getLast();
        if (options.layout() == MirrorOptions.Layout.IN_PLACE && sameSymlink(parent.dir, e.name(), target, meta)) {
            return;
        }
        byte[] tmp = tempName();
        parent.dir.symlink(tmp, target);
        try {
            PinnedMetadata.applyToSymlink(parent.dir, tmp, meta, superuser);
            replace(parent.dir, tmp, e.name());
        } catch (IOException | RuntimeException ex) {
            parent.dir.unlink(tmp);
            throw ex;
        }
    }

    /**
     * Whether {@code name} of {@code dir} already is a symlink to {@code target} with the mtime (to the microsecond,
     * as it is set; not atime, which reading the link moves) and, when owners are applied, the owner of
     * {@code meta}: then it is left as it is, which saves five system calls and keeps its inode for readers.
     */
    private boolean sameSymlink(DirectoryHandle dir, byte[] name, byte[] target, FileMeta meta) throws IOException {
        PosixStat st = dir.lstat(name);
        if (st == null || !st.isSymlink() || st.size() != target.length
                || Math.floorDiv(st.mtimeNanos(), 1000) != Math.floorDiv(meta.mtimeNanos(), 1000)
                || superuser && (st.uid() != meta.uid() || st.gid() != meta.gid())) {
            return false;
        }
        byte[] existing = RawPath.bytes(Files.readSymbolicLink(dir.entry(name)));
        return Arrays.equals(existing, target);
    }

    @Override
    public void special(byte[] path, FileMeta meta) throws IOException {
        checkOpen();
        if (meta == null || !meta.kind().isSpecial()) {
            fail("special entry " + (path == null ? "null" : RawPath.escape(path)) + ": its metadata is a " + (meta == null ? "null" : meta.kind())
                    + ", not a fifo, socket or device");
        }
        EntryPath e = enter(path, "special file");
        Level parent = levels.getLast();
        byte[] tmp = tempName();
        if (fake) {
            int fd = parent.dir.open(tmp, NativeCalls.O_RDWR | NativeCalls.O_CREAT | NativeCalls.O_EXCL, 0600);
            try {
                PinnedMetadata.apply(fd, e.shown(), meta, true, false, 0600, List.of(FakeSuper.encode(meta)));
            } catch (IOException | RuntimeException ex) {
                NativeCalls.close(fd);
                parent.dir.unlink(tmp);
                throw ex;
            }
            NativeCalls.close(fd);
        } else {
            int type = switch (meta.kind()) {
                case FIFO -> 0010000;
                case CHAR_DEVICE -> 0020000;
                case BLOCK_DEVICE -> 0060000;
                default -> 0140000;
            };
            boolean device = meta.kind() == FileKind.CHAR_DEVICE || meta.kind() == FileKind.BLOCK_DEVICE;
            parent.dir.mknod(tmp, type | 0600, device ? meta.rdev() : 0);
            int fd;
            try {
                fd = parent.dir.open(tmp, NativeCalls.O_PATH, 0);
            } catch (IOException ex) {
                parent.dir.unlink(tmp);
                throw ex;
            }
            try {
                PosixStat st = NativeCalls.fstat(fd, e.shown());
                if ((st.mode() & 0170000) != type) {
                    throw new IOException("the new special file " + e.shown() + " was replaced while it was being made");
                }
                PinnedMetadata.apply(fd, e.shown(), meta, true, superuser, meta.mode(), List.of());
            } catch (IOException | RuntimeException ex) {
                NativeCalls.close(fd);
                parent.dir.unlink(tmp);
                throw ex;
            }
            NativeCalls.close(fd);
        }
        replace(parent.dir, tmp, e.name());
    }

    @Override
    public void hardlink(byte[] path, byte[] earlierPath) throws IOException {
        checkOpen();
        EntryPath earlier = refuseOnError(() -> EntryPath.check(earlierPath, limits, "hardlink target"));
        EntryPath e = enter(path, "hardlink");
        Linkable target = linkable.get(key(earlier.raw()));
        if (target == null) {
            fail("hardlink " + e.shown() + " -> " + earlier.shown()
                    + ": the target is not a multiply-linked regular file written earlier in this run");
        }
        Level parent = levels.getLast();
        DirectoryHandle from = walk(treeRoot, earlier.parent());
        if (from == null) {
            throw new IOException("hardlink " + e.shown() + ": the directory of " + earlier.shown() + " is gone");
        }
        try {
            byte[] tmp = tempName();
            parent.dir.link(tmp, from, earlier.name());
            PosixStat st = parent.dir.lstat(tmp);
            if (st == null || st.ino() != target.ino || st.dev() != target.dev) {
                if (st != null) {
                    parent.dir.unlink(tmp);
                }
                throw new IOException("hardlink " + e.shown() + ": " + earlier.shown() + " was replaced during the run");
            }
            replace(parent.dir, tmp, e.name());
        } finally {
            from.close();
        }
        if (--target.remaining <= 0) {
            linkable.remove(key(earlier.raw()));
        }
    }

    @Override
    public MirrorTargetStats finish() throws IOException {
        checkOpen();
        if (!inFlight.isEmpty()) {
            throw new IllegalStateException("finish called while " + inFlight.size() + " file(s) are still being written");
        }
        try {
            while (levels.size() > 1) {
                pop();
            }
            Level root = levels.getFirst();
            if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
                deleteExtraneous(root);
            }
            if (root.meta != null) {
                applyDirectoryMeta(root.dir, ".", root.meta);
            }
            List<byte[]> doomed = List.of();
            if (options.layout() == MirrorOptions.Layout.SNAPSHOTS) {
                byte[] name = finalName.getBytes(StandardCharsets.US_ASCII);
                top.syncFileSystem();
                top.rename(partialName, top, name);
                top.syncFileSystem();
                doomed = beyondKeep();
            }
            state = State.FINISHED;
            if (doomed.isEmpty()) {
                journal.commit();
            } else {
                // deleting an old snapshot drops a link of every inode the new tree shares with it, which moves
                // their ctimes: the journal's facts are carried across (docs/mirror.md "Unchanged files")
                List<byte[]> delete = doomed;
                try (TreeStats tree = new TreeStats(treeRoot, limits)) {
                    journal.commitAround(() -> deleteSnapshots(delete), tree::stat);
                }
            }
            return new MirrorTargetStats(finalName == null ? "." : finalName, filesWritten, filesKept, bytesWritten,
                    bytesCopied, deleted);
        } catch (IOException | RuntimeException e) {
            state = State.FAILED;
            throw e;
        } finally {
            if (state == State.FINISHED) {
                closeAll();
            }
        }
    }

    /** The names of the oldest complete snapshots beyond {@code keep_snapshots} (none when it is 0). */
    private List<byte[]> beyondKeep() throws IOException {
        if (options.keepSnapshots() == 0) {
            return List.of();
        }
        List<String> complete = new ArrayList<>();
        for (byte[] n : top.list()) {
            String s = new String(n, StandardCharsets.ISO_8859_1);
            if (SNAPSHOT_NAME.matcher(s).matches() && isDirectory(top, n)) {
                complete.add(s);
            }
        }
        complete.sort(TargetRun::compareSnapshotNames);
        List<byte[]> doomed = new ArrayList<>();
        for (int i = 0; i < complete.size() - options.keepSnapshots(); i++) {
            doomed.add(complete.get(i).getBytes(StandardCharsets.ISO_8859_1));
        }
        return doomed;
    }

    private void deleteSnapshots(List<byte[]> names) throws IOException {
        for (byte[] n : names) {
            PosixStat st = top.lstat(n);
            if (st != null) {
                top.deleteTree(n, st);
            }
        }
    }

    @Override
    public void abort() {
        if (state == State.FINISHED || state == State.ABORTED) {
            return;
        }
        state = State.ABORTED;
        journal.close();
        RuntimeException first = null;
        for (Writer w : List.copyOf(inFlight.values())) {
            try {
                w.abort();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        closeAll();
        if (first != null) {
            throw first;
        }
    }

    @Override
    public void close() {
        abort();
    }

    private void closeAll() {
        while (!levels.isEmpty()) {
            Level l = levels.removeLast();
            if (l.basis != null && l.basis != l.dir && l.basis != basisTop) {
                l.basis.close();
            }
            if (l.dir != treeRoot) {
                l.dir.close();
            }
        }
        if (basisTop != null) {
            basisTop.close();
        }
        if (treeRoot != top) {
            treeRoot.close();
        }
        top.close();
    }

    // ---- order, limits, levels -----------------------------------------------------------------------------

    private interface Check<T> {
        T get() throws MirrorRefusedException;
    }

    private <T> T refuseOnError(Check<T> check) throws MirrorRefusedException {
        try {
            return check.get();
        } catch (MirrorRefusedException e) {
            state = State.FAILED;
            throw e;
        }
    }

    private void fail(String message) throws MirrorRefusedException {
        state = State.FAILED;
        throw new MirrorRefusedException(message);
    }

    private void checkOpen() {
        if (state != State.OPEN) {
            throw new IllegalStateException("this mirror run is " + state.name().toLowerCase(java.util.Locale.ROOT)
                    + "; no more entries are accepted");
        }
    }

    private void requireKind(FileMeta meta, byte[] path, FileKind kind) throws MirrorRefusedException {
        if (meta == null || meta.kind() != kind) {
            fail(kind.name().toLowerCase(java.util.Locale.ROOT) + " " + (path == null ? "null" : RawPath.escape(path))
                    + ": its metadata is a " + (meta == null ? "null" : meta.kind()));
        }
    }

    /** Checks the path, its place in the order and its parent; moves the current directory to the parent. */
    private EntryPath enter(byte[] path, String what) throws IOException {
        EntryPath e = refuseOnError(() -> EntryPath.check(path, limits, what));
        if (last != null && last.length > 0) {
            int c = PathOrder.compare(e.raw(), last);
            if (c == 0) {
                fail(what + " " + e.shown() + ": the path was already given in this run");
            }
            if (c < 0) {
                fail(what + " " + e.shown() + ": out of order, it must come after " + RawPath.escape(last)
                        + " (the path was given before or sorts before it)");
            }
        }
        if (++entries > limits.maxEntries()) {
            fail(what + " " + e.shown() + ": more than " + limits.maxEntries() + " entries in one run");
        }
        while (levels.size() > 1 && !EntryPath.isAncestorOrSelf(levels.getLast().path, e.parent())) {
            pop();
        }
        if (!Arrays.equals(levels.getLast().path, e.parent())) {
            fail(what + " " + e.shown() + ": its parent " + RawPath.escape(e.parent())
                    + " was not given as a directory before it in this run");
        }
        last = e.raw();
        levels.getLast().sent.add(e.name());
        return e;
    }

    /** The run moved past the deepest directory: delete what the source no longer has, then apply its metadata. */
    private void pop() throws IOException {
        Level l = levels.removeLast();
        try {
            if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
                deleteExtraneous(l);
            }
            if (l.writers > 0) {
                // files of this directory are still arriving: their renames would change its mtime, so the last
                // one to finish applies the directory's metadata (Writer.release)
                l.popped = true;
            } else if (l.meta != null) {
                applyDirectoryMeta(l.dir, RawPath.escape(l.path), l.meta);
            }
        } finally {
            if (l.basis != null && l.basis != l.dir) {
                l.basis.close();
            }
            l.dir.close();
        }
    }

    private void deleteExtraneous(Level l) throws IOException {
        byte[][] sent = l.sent.toArray(new byte[0][]);
        for (byte[] name : l.dir.list()) {
            if (Arrays.binarySearch(sent, name, PathOrder::compareNames) >= 0) {
                continue;
            }
            String s = new String(name, StandardCharsets.ISO_8859_1);
            boolean leftover = s.startsWith(TEMP_PREFIX) && !inFlight.containsKey(s);
            if (inFlight.containsKey(s) || !leftover && !options.delete()) {
                continue;
            }
            PosixStat st = l.dir.lstat(name);
            if (st != null) {
                deleted += leftover ? deleteUnprotected(l.dir, name, st, null) : deleteUnprotected(l.dir, name, st, l.dir.child(name));
            }
        }
    }

    /** Deletes {@code name} below {@code dir} except what {@code protect} keeps; {@code relative} null deletes all. */
    private long deleteUnprotected(DirectoryHandle dir, byte[] name, PosixStat st, byte[] relative) throws IOException {
        if (relative != null && !options.deleteExcluded() && protect.leavesOut(absolute(relative), st.isDirectory())) {
            return 0;
        }
        if (!st.isDirectory()) {
            dir.unlink(name);
            return 1;
        }
        long n = 0;
        boolean keptSome = false;
        if ((st.mode() & 0700) != 0700) {
            dir.grantOwnerAccess(name);
        }
        try (DirectoryHandle sub = dir.openDirectory(name)) {
            for (byte[] child : sub.list()) {
                PosixStat cs = sub.lstat(child);
                if (cs == null) {
                    continue;
                }
                n += deleteUnprotected(sub, child, cs, relative == null ? null : sub.child(child));
                keptSome |= sub.lstat(child) != null;
            }
        }
        if (keptSome) {
            return n;
        }
        dir.rmdir(name);
        return n + 1;
    }

    private static byte[] absolute(byte[] relative) {
        byte[] out = new byte[relative.length + 1];
        out[0] = '/';
        System.arraycopy(relative, 0, out, 1, relative.length);
        return out;
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    /** Moves {@code tmp} to {@code name} in {@code dir}, replacing what is there (a directory is deleted first). */
    private void replace(DirectoryHandle dir, byte[] tmp, byte[] name) throws IOException {
        if (options.layout() == MirrorOptions.Layout.IN_PLACE) {
            PosixStat st = dir.lstat(name);
            if (st != null && st.isDirectory()) {
                dir.deleteTree(name, st);
            } else if (st != null) {
                PosixStat t = dir.lstat(tmp);
                if (t != null && t.ino() == st.ino() && t.dev() == st.dev()) {
                    // rename(2) does nothing when both names are links to one inode: the entry is already right
                    dir.unlink(tmp);
                    return;
                }
            }
        }
        dir.rename(tmp, dir, name);
    }

    /**
     * As {@link #replace} for a temporary file this run just created: a new inode, so never a link of what
     * {@code name} holds. It is renamed at once; {@code name} is looked at only when the rename is refused because
     * a directory is there (EISDIR), which saves {@link #replace}'s lstat for every new file.
     */
    private void replaceWithNew(DirectoryHandle dir, byte[] tmp, byte[] name) throws IOException {
        try {
            dir.rename(tmp, dir, name);
        } catch (IOException e) {
            if (options.layout() != MirrorOptions.Layout.IN_PLACE || NativeCalls.errno(e) != NativeCalls.EISDIR) {
                throw e;
            }
            replace(dir, tmp, name);
        }
    }

    /** {@code .sluice-tmp-<8 random hex of this run><8 hex counter>}: 16 hex digits, unique within the run. */
    private byte[] tempName() {
        String hex = Integer.toHexString(tempCounter++);
        return (TEMP_PREFIX + tempPrefix + "00000000".substring(hex.length()) + hex).getBytes(StandardCharsets.US_ASCII);
    }

    private static String key(byte[] path) {
        return new String(path, StandardCharsets.ISO_8859_1);
    }

    /** Records in the new journal that {@code e} is the inode {@code st} carrying {@code xattrs} on disk. */
    private void learn(EntryPath e, PosixStat st, List<Xattr> xattrs) {
        journal.add(e.raw(), st.dev(), st.ino(), st.ctimeNanos(), xattrs);
    }

    private void remember(EntryPath e, FileMeta meta, long dev, long ino) {
        if (meta.nlink() > 1) {
            linkable.put(key(e.raw()), new Linkable(dev, ino, meta.nlink() - 1));
        }
    }

    /** The xattrs an entry gets on disk for {@code meta}: with the fake-super record when that is on. */
    private List<Xattr> diskXattrs(FileMeta meta) {
        if (!fake) {
            return meta.xattrs();
        }
        List<Xattr> out = new ArrayList<>();
        for (Xattr x : meta.xattrs()) {
            if (!x.name().equals(FakeSuper.XATTR)) {
                out.add(x);
            }
        }
        out.add(FakeSuper.encode(meta));
        return out;
    }

    private int diskMode(FileMeta meta) {
        if (!fake) {
            return meta.mode();
        }
        return (meta.mode() & 0777) | (meta.kind() == FileKind.DIRECTORY ? 0700 : 0600);
    }

    /** Applies a directory's metadata unless it already has it (the usual case in a run without changes). */
    private void applyDirectoryMeta(DirectoryHandle dir, String shown, FileMeta meta) throws IOException {
        if (!PinnedMetadata.directoryCarries(dir.fd(), shown, meta, superuser, diskMode(meta), diskXattrs(meta))) {
            applyMeta(dir.fd(), shown, meta, false);
        }
    }

    private void applyMeta(int fd, String shown, FileMeta meta, boolean fresh) throws IOException {
        PinnedMetadata.apply(fd, shown, meta, fresh, superuser, diskMode(meta), diskXattrs(meta));
    }

    /**
     * Whether the file on disk (already seen through the fake-super view) already carries {@code wanted}. atime is
     * not compared: reading a file moves it (at both ends), and a run that wrote it back onto every file someone had
     * read would change each one's ctime for nothing; it is set whenever the rest of the metadata is.
     */
    private boolean sameMeta(FileMeta disk, FileMeta wanted) {
        boolean owners = superuser || fake;
        return disk.mode() == wanted.mode() && disk.mtimeNanos() == wanted.mtimeNanos() && disk.size() == wanted.size()
                && (!owners || disk.uid() == wanted.uid() && disk.gid() == wanted.gid())
                && (fake ? withoutFake(disk.xattrs()).equals(withoutFake(wanted.xattrs()))
                        : disk.xattrs().equals(wanted.xattrs()));
    }

    private static List<Xattr> withoutFake(List<Xattr> xattrs) {
        return xattrs.stream().filter(x -> !x.name().equals(FakeSuper.XATTR)).toList();
    }

    // ---- files ----------------------------------------------------------------------------------------------

    /** A regular file being received into a temporary name. */
    private final class Writer implements FileWriter {
        private final EntryPath path;
        private final FileMeta meta;
        private final Level level;
        private final DirectoryHandle dir;
        private final DirectoryHandle basisDir;
        private final byte[] tmp;
        private final String tmpKey;
        private final int fd;
        private final FileChannel channel;
        private final ContentAppender sparse;
        private BasisFile basis;
        private boolean done;

        Writer(EntryPath path, FileMeta meta, Level level, DirectoryHandle dir, DirectoryHandle basisDir)
                throws IOException {
            this.path = path;
            this.meta = meta;
            this.level = level;
            this.dir = dir;
            this.basisDir = basisDir;
            this.tmp = tempName();
            this.tmpKey = key(tmp);
            int opened = -1;
            FileChannel ch = null;
            try {
                opened = dir.open(tmp, NativeCalls.O_RDWR | NativeCalls.O_CREAT | NativeCalls.O_EXCL, 0600);
                inFlight.put(tmpKey, this);
                // the channel takes the descriptor over: closing it (in release) closes the descriptor
                ch = RawDescriptor.channel(opened, true);
                this.sparse = new ContentAppender(ch, meta.size());
            } catch (IOException | RuntimeException e) {
                if (opened >= 0) {
                    if (ch != null) {
                        ch.close();
                    } else {
                        NativeCalls.close(opened);
                    }
                    dir.unlink(tmp);
                    inFlight.remove(tmpKey);
                }
                dir.close();
                if (basisDir != null) {
                    basisDir.close();
                }
                throw e;
            }
            this.fd = opened;
            this.channel = ch;
            level.writers++;
        }

        @Override
        public void write(ByteBuffer data) throws IOException {
            checkWritable(data.remaining());
            sparse.write(data);
        }

        @Override
        public void copyFromBasis(long offset, long length) throws IOException {
            if (basis == null) {
                basis = basisDir == null ? null : BasisFile.open(basisDir, path.name(), fake);
                if (basis == null) {
                    abort();
                    fail("file " + path.shown() + ": the sender asked to copy from a basis the receiver does not have");
                }
            }
            copy(basis, offset, length);
        }

        @Override
        public void copyFromBasis(Basis from, long offset, long length) throws IOException {
            copy(ours(from), offset, length);
        }

        @Override
        public Copy copyFromBasisLater(Basis from, long offset, long length) throws IOException {
            BasisFile b = ours(from);
            check(b, offset, length);
            long at = sparse.reserve(length);
            bytesCopied += length;
            FileChannel source = b.channel();
            return () -> sparse.copyAt(source, offset, length, at);
        }

        private BasisFile ours(Basis from) {
            if (!(from instanceof BasisFile b)) {
                throw new IllegalArgumentException("file " + path.shown() + ": a basis to copy from must come from"
                        + " this target's basis()");
            }
            return b;
        }

        private void copy(BasisFile from, long offset, long length) throws IOException {
            check(from, offset, length);
            sparse.copy(from.channel(), offset, length);
            bytesCopied += length;
        }

        private void check(BasisFile from, long offset, long length) throws IOException {
            if (offset < 0 || length < 0 || offset > from.meta().size() - length) {
                abort();
                fail("file " + path.shown() + ": basis range " + offset + "+" + length + " is outside the basis of "
                        + from.meta().size() + " bytes");
            }
            checkWritable(length);
        }

        private void checkWritable(long more) throws IOException {
            if (done) {
                throw new IllegalStateException("file " + path.shown() + " is already committed or aborted");
            }
            if (sparse.position() + more > limits.maxFileBytes()) {
                abort();
                fail("file " + path.shown() + ": more than " + limits.maxFileBytes() + " bytes");
            }
        }

        @Override
        public long position() {
            return sparse.position();
        }

        @Override
        public void commit() throws IOException {
            commit(false);
        }

        @Override
        public FileStamp commitAndStamp() throws IOException {
            return commit(true);
        }

        private FileStamp commit(boolean stamp) throws IOException {
            if (done) {
                throw new IllegalStateException("file " + path.shown() + " is already committed or aborted");
            }
            FileStamp after = null;
            try {
                sparse.finish();
                bytesWritten += sparse.dataBytesWritten();
                PosixStat created = NativeCalls.fstat(fd, path.shown());
                PinnedMetadata.applyToCreated(fd, path.shown(), meta, created, superuser, diskMode(meta),
                        diskXattrs(meta));
                replaceWithNew(dir, tmp, path.name());
                PosixStat st = NativeCalls.fstat(fd, path.shown());
                learn(path, st, diskXattrs(meta));
                if (stamp) {
                    // taken after the rename (which changes ctime): the state the next run's basis has
                    after = new FileStamp(st.dev(), st.ino(), st.size(), st.mtimeNanos(), st.ctimeNanos());
                }
                remember(path, meta, st.dev(), st.ino());
                filesWritten++;
            } catch (IOException | RuntimeException e) {
                abort();
                throw e;
            }
            done = true;
            release();
            return after;
        }

        @Override
        public void abort() {
            if (done) {
                return;
            }
            done = true;
            try {
                dir.unlink(tmp);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("could not remove the temporary file of " + path.shown(), e);
            } finally {
                release();
            }
        }

        private void release() {
            inFlight.remove(tmpKey);
            try {
                channel.close(); // and with it the descriptor
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("closing the temporary file of " + path.shown() + " failed: "
                        + e.getMessage(), e);
            } finally {
                releaseBasisAndDirectories();
            }
        }

        private void releaseBasisAndDirectories() {
            if (basis != null) {
                basis.close();
            }
            try {
                if (--level.writers == 0 && level.popped && level.meta != null) {
                    applyDirectoryMeta(dir, RawPath.escape(level.path), level.meta);
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("applying the metadata of directory "
                        + RawPath.escape(level.path) + " failed: " + e.getMessage(), e);
            } finally {
                dir.close();
                if (basisDir != null) {
                    basisDir.close();
                }
            }
        }

        @Override
        public void close() {
            abort();
        }
    }
}

package dev.sluice.engine.mirror.dest;

import dev.sluice.engine.fs.CacheRoot;
import dev.sluice.engine.fs.FileMeta;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * The receiving side of a mirror run: the only way the mirror receiver touches its target directory.
 *
 * <p>Every path is relative to the target, given as raw bytes with '/' separators, and checked before use:
 * empty, absolute, {@code .} or {@code ..} components, NUL bytes, and names or paths beyond the limits of
 * {@link MirrorLimits} are refused with {@link MirrorRefusedException}. Every operation resolves the path one
 * component at a time through directory handles and never follows a symlink on the receiving side, so nothing the
 * sender says or does (and no symlink swapped in by a local process during the run) can make it write outside
 * the target.
 *
 * <p>Entries of one run arrive in the scan's path order ({@code scan.PathOrder}): a directory before its
 * contents, each directory's children together. A path may be given only once per run (a duplicate is refused).
 * An implementation may rely on this order, e.g. to delete extraneous names of a directory once the run has moved
 * past it. The implementation from {@link #open} enforces it: a path that does not sort after the previous one is
 * refused, and so is a path whose parent was not given as a {@link #directory} earlier in this run (top-level
 * names excepted). The empty path names the tree's top directory itself: {@code directory(new byte[0], meta)} is
 * accepted as the very first entry only, and gives the top its metadata.
 *
 * <p>After a {@link MirrorRefusedException} the run accepts nothing more (every call but {@link #abort()} and
 * {@link #close()} throws {@link IllegalStateException}). A run is not thread-safe: calls, including those on its
 * {@link FileWriter}s, must come one at a time. Several writers may be open at once; {@link #finish()} refuses to run
 * while one is.
 *
 * <p>Nothing a run writes is visible as complete before {@link #finish()}: in the {@code in-place} layout each file
 * becomes visible atomically by rename when its {@link FileWriter#commit()} runs; in the {@code snapshots} layout the
 * new tree stays under a partial name until {@code finish} renames it. {@link #abort()} (or close without finish)
 * leaves every previous snapshot untouched.
 */
public interface MirrorTarget extends Closeable {

    /**
     * Starts a run over the target directory {@code root} (created when missing; a symlink at {@code root} itself
     * is followed, nothing below it ever is). In {@code SNAPSHOTS} this removes partial trees left by earlier
     * runs, picks the newest complete snapshot as the basis and creates {@code .partial-NAME}, NAME being
     * {@code clock}'s time as {@code uuuu-MM-dd'T'HHmmss'Z'} (with {@code -2}, {@code -3}, ... when taken).
     * Owners are applied when the process runs as root (effective uid 0); otherwise, with
     * {@link MirrorOptions#fakeSuper()}, they go into the {@link FakeSuper#XATTR} xattr.
     */
    static MirrorTarget open(Path root, MirrorOptions options, Clock clock) throws IOException {
        return open(root, options, clock, CacheRoot.of(System.getenv()));
    }

    /**
     * As {@link #open(Path, MirrorOptions, Clock)}, keeping the target's xattr journal (an
     * {@link dev.sluice.engine.scan.XattrJournal}, so unchanged files need not be opened to compare their xattrs)
     * under {@code cacheRoot/mirror/targets/}, named by the target's real path; none when the root is empty.
     */
    static MirrorTarget open(Path root, MirrorOptions options, Clock clock, Optional<Path> cacheRoot)
            throws IOException {
        Path journal = null;
        if (cacheRoot.isPresent()) {
            Files.createDirectories(root);
            journal = cacheFile(cacheRoot.get(), root.toRealPath(), ".xattrs");
        }
        return TargetRun.open(root, options, clock, TargetRun.runningAsRoot(), journal);
    }

    /**
     * A file sluice keeps for the target whose real path is {@code realRoot}: {@code cacheRoot/mirror/targets/NAME}
     * plus {@code suffix}, NAME made from that path (its xattr journal, its lock across processes).
     */
    static Path cacheFile(Path cacheRoot, Path realRoot, String suffix) {
        return cacheRoot.resolve("mirror").resolve("targets").resolve(CacheRoot.fileName(realRoot.toString()) + suffix);
    }

    /**
     * The receiver's existing copy of {@code path}, used as the delta basis and for the quick check (size and
     * mtime): in {@code in-place} the file in the tree itself, in {@code snapshots} the file in the newest complete
     * snapshot. Empty when there is none or it is not a regular file.
     */
    Optional<Basis> basis(byte[] path) throws IOException;

    /** Creates the directory (or keeps the one there); its metadata is applied in {@link #finish()}. */
    void directory(byte[] path, FileMeta meta) throws IOException;

    /**
     * Starts writing a regular file. The content goes to a temporary name in the same directory;
     * {@link FileWriter#commit()} renames it into place and applies {@code meta}.
     */
    FileWriter file(byte[] path, FileMeta meta) throws IOException;

    /**
     * The sender's file equals the basis (the quick check or a full delta found nothing new): in {@code in-place}
     * only metadata that differs is applied; in {@code snapshots} the new tree gets a hardlink to the previous
     * snapshot's file (or a copy when the metadata differs in a way a hardlink cannot express).
     *
     * @throws MirrorRefusedException when there is no basis for {@code path}
     */
    void keep(byte[] path, FileMeta meta) throws IOException;

    /**
     * As {@link #keep(byte[], FileMeta)}, reusing {@code basis} (what {@link #basis} just returned for {@code path})
     * instead of opening the file again when it was opened through the same directory handle; closes it.
     */
    void keep(byte[] path, FileMeta meta, Basis basis) throws IOException;

    /** A symbolic link; {@code target} is stored as given and never followed by the receiver. */
    void symlink(byte[] path, byte[] target, FileMeta meta) throws IOException;

    /**
     * A fifo, socket or device node. When the receiver is not root and {@link MirrorOptions#fakeSuper()} is on,
     * a regular empty file is made instead and the kind, mode, owner and device number are kept in the
     * {@code user.sluice.fake_super} xattr (restored from it when mirrored back).
     */
    void special(byte[] path, FileMeta meta) throws IOException;

    /**
     * A hardlink to a file written (or kept) earlier in this run. A target not written in this run is refused,
     * so a sender cannot link to files outside the transfer. The earlier file's metadata must have had
     * {@code nlink > 1}, and it accepts at most {@code nlink - 1} hardlinks (only such files are remembered, as the
     * scan does).
     */
    void hardlink(byte[] path, byte[] earlierPath) throws IOException;

    /**
     * Completes the run: deletes extraneous entries (when {@link MirrorOptions#delete()}; names matching
     * {@link MirrorOptions#protect()} stay unless {@link MirrorOptions#deleteExcluded()}), applies directory
     * metadata deepest first, and in {@code snapshots} renames the partial tree to its final dated name.
     */
    MirrorTargetStats finish() throws IOException;

    /** Ends the run without completing it; previous snapshots and files not yet committed stay as they were. */
    void abort();

    /** A file being received. */
    interface FileWriter extends Closeable {
        /** Appends bytes the sender sent. */
        void write(java.nio.ByteBuffer data) throws IOException;

        /** Appends {@code length} bytes of the basis starting at {@code offset} (checked against the basis size). */
        void copyFromBasis(long offset, long length) throws IOException;

        /**
         * Appends {@code length} bytes of {@code basis}, which this run's {@link MirrorTarget#basis} returned,
         * starting at {@code offset} (checked against the basis size); the kernel copies them.
         */
        void copyFromBasis(Basis basis, long offset, long length) throws IOException;

        /**
         * As {@link #copyFromBasis(Basis, long, long)}, but only takes the range's place in the file: the returned
         * {@link Copy} moves the bytes, on another thread if the caller likes, beside later appends to this file.
         * Once a file has a copy made later, all its copies are made so, all run on one thread, and all have run
         * before {@link #commit()}.
         */
        Copy copyFromBasisLater(Basis basis, long offset, long length) throws IOException;

        /** Current length written. */
        long position();

        /** Makes the file visible under its name, with its metadata. */
        void commit() throws IOException;

        /**
         * As {@link #commit()}, and returns the committed file's stamp taken by fstat after the rename (so it is the
         * state the next run sees as its basis), or null when this target cannot tell.
         */
        default FileStamp commitAndStamp() throws IOException {
            commit();
            return null;
        }

        /** Drops the temporary file; called by close when not committed. */
        void abort();

        /** A copy from the basis whose place in the file is taken ({@link #copyFromBasisLater}). */
        @FunctionalInterface
        interface Copy {
            void run() throws IOException;
        }
    }

    /** The receiver's existing copy of a file, opened without following symlinks. */
    interface Basis extends Closeable {
        FileMeta meta();

        /** The stamp of the file as it was opened, or null when this target cannot tell. */
        default FileStamp stamp() {
            return null;
        }

        /** Reads up to {@code dst.remaining()} bytes at {@code position}; -1 at the end. */
        int read(java.nio.ByteBuffer dst, long position) throws IOException;

        /**
         * Whether the file still has the size, mtime and ctime it had when it was opened: false after any write
         * to it (a receiver that trusts hashes it computed earlier checks this after copying from the basis).
         */
        boolean unchanged() throws IOException;

        /** Releases the descriptor; never fails with a checked exception. */
        @Override
        void close();
    }
}

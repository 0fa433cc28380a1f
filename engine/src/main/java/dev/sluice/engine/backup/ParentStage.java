package dev.sluice.engine.backup;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.fs.MetadataReader;
import dev.sluice.engine.scan.FileProblem;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.tree.ParentCursor;
import dev.sluice.engine.tree.TreeEntry;
import java.util.function.Function;
import reactor.core.publisher.Flux;

/**
 * Decides for each scanned entry whether its content must be read, by a merge join with
 * the parent snapshot: size, mtime, ctime and inode all equal means unchanged.
 */
public final class ParentStage implements Function<Flux<ScanEntry>, Flux<FileTask>> {
    private final ParentCursor parent;
    private final boolean deferredXattrs;
    private final MetadataReader metadata = new MetadataReader();

    /**
     * @param deferredXattrs the scan left regular files' xattrs out; this stage fills them in,
     *     from the parent for unchanged files, from the file otherwise
     */
    public ParentStage(ParentCursor parent, boolean deferredXattrs) {
        this.parent = parent;
        this.deferredXattrs = deferredXattrs;
    }

    @Override
    public Flux<FileTask> apply(Flux<ScanEntry> entries) {
        return entries.map(this::decide);
    }

    FileTask decide(ScanEntry e) {
        if (e.problem() != null) {
            return new FileTask(e, null, FileTask.Disposition.PROBLEM);
        }
        TreeEntry before = parent.find(e.path());
        FileMeta now = e.meta();
        if (now.kind() != FileKind.REGULAR || e.hardlinkTo() != null) {
            return new FileTask(sameButAtime(before, now) ? withAtime(e, before.meta().atimeNanos()) : e, before,
                    FileTask.Disposition.METADATA);
        }
        if (before == null || before.meta().kind() != FileKind.REGULAR || before.isHardlink()) {
            return withXattrs(e, null, FileTask.Disposition.NEW);
        }
        FileMeta then = before.meta();
        boolean same = then.size() == now.size()
                && then.mtimeNanos() == now.mtimeNanos()
                && then.ctimeNanos() == now.ctimeNanos()
                && then.ino() == now.ino();
        if (same && deferredXattrs) {
            // Setting or removing an xattr moves ctime, so equal ctimes mean equal xattrs.
            return new FileTask(new ScanEntry(e.path(), e.file(), atime(now.withXattrs(then.xattrs()),
                    then.atimeNanos()), e.hardlinkTo(), null), before, FileTask.Disposition.UNCHANGED);
        }
        return same ? new FileTask(withAtime(e, then.atimeNanos()), before, FileTask.Disposition.UNCHANGED)
                : withXattrs(e, before, FileTask.Disposition.CHANGED);
    }

    /**
     * True if the entry is the parent's but for its access time. Then the parent's atime is recorded: reading a file
     * or listing a directory (the previous backup did both) moves atime, and recording that would rewrite the tree
     * blobs of every entry the last backup touched — the metadata stream would not dedup (docs/decisions.md).
     * Any change of content, mode, owner, xattrs or links moves mtime or ctime, and then the new atime is kept.
     */
    private static boolean sameButAtime(TreeEntry before, FileMeta now) {
        if (before == null || before.meta().kind() != now.kind()) {
            return false;
        }
        FileMeta then = before.meta();
        return then.size() == now.size() && then.mtimeNanos() == now.mtimeNanos()
                && then.ctimeNanos() == now.ctimeNanos() && then.ino() == now.ino();
    }

    private static ScanEntry withAtime(ScanEntry e, long atimeNanos) {
        return e.meta().atimeNanos() == atimeNanos ? e
                : new ScanEntry(e.path(), e.file(), atime(e.meta(), atimeNanos), e.hardlinkTo(), null);
    }

    private static FileMeta atime(FileMeta m, long atimeNanos) {
        return new FileMeta(m.kind(), m.mode(), m.uid(), m.gid(), m.size(), m.mtimeNanos(), atimeNanos,
                m.ctimeNanos(), m.dev(), m.ino(), m.nlink(), m.rdev(), m.linkTarget(), m.xattrs());
    }

    private FileTask withXattrs(ScanEntry e, TreeEntry before, FileTask.Disposition d) {
        if (!deferredXattrs) {
            return new FileTask(e, before, d);
        }
        try {
            FileMeta full = e.meta().withXattrs(metadata.xattrs(e.file(), e.meta()));
            return new FileTask(new ScanEntry(e.path(), e.file(), full, e.hardlinkTo(), null), before, d);
        } catch (java.io.IOException ex) {
            FileProblem.Kind kind = ex instanceof java.nio.file.NoSuchFileException
                    ? FileProblem.Kind.VANISHED : FileProblem.Kind.UNREADABLE;
            return new FileTask(new ScanEntry(e.path(), e.file(), null, null,
                    new FileProblem(e.path(), kind, "cannot read its xattrs: " + ex.getMessage())), null,
                    FileTask.Disposition.PROBLEM);
        }
    }
}

package dev.sluice.engine.backup;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
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

    public ParentStage(ParentCursor parent) {
        this.parent = parent;
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
            return new FileTask(e, before, FileTask.Disposition.METADATA);
        }
        if (before == null || before.meta().kind() != FileKind.REGULAR || before.isHardlink()) {
            return new FileTask(e, null, FileTask.Disposition.NEW);
        }
        FileMeta then = before.meta();
        boolean same = then.size() == now.size()
                && then.mtimeNanos() == now.mtimeNanos()
                && then.ctimeNanos() == now.ctimeNanos()
                && then.ino() == now.ino();
        return new FileTask(e, before, same ? FileTask.Disposition.UNCHANGED : FileTask.Disposition.CHANGED);
    }
}

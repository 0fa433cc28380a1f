package dev.sluice.engine.backup;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.scan.FileProblem;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.TreeEntry;
import dev.sluice.engine.tree.TreeWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The last stage: assembles each file's tree entry from its pieces, in scan order, writes
 * it to the metadata stream, and collects the ids the snapshot references.
 */
final class TreeStage implements Function<Flux<Piece>, Mono<Void>> {
    private final TreeWriter writer;
    private final RefCollector refs;
    private final BackupStats stats;
    private final ErrorPolicy policy;

    TreeStage(TreeWriter writer, RefCollector refs, BackupStats stats, ErrorPolicy policy) {
        this.writer = writer;
        this.refs = refs;
        this.stats = stats;
        this.policy = policy;
    }

    @Override
    public Mono<Void> apply(Flux<Piece> pieces) {
        return Flux.defer(() -> {
            List<ChunkRef> current = new ArrayList<>();
            return pieces.doOnNext(p -> {
                if (p instanceof Piece.Chunk c) {
                    current.add(new ChunkRef(c.id(), c.length()));
                } else {
                    finishFile((Piece.FileDone) p, current);
                    current.clear();
                }
            });
        }).then();
    }

    private void finishFile(Piece.FileDone done, List<ChunkRef> read) {
        FileTask task = done.task();
        ScanEntry e = task.entry();
        if (task.disposition() == FileTask.Disposition.PROBLEM) {
            problem(e.problem());
            return;
        }
        FileProblem problem = done.problem();
        // Unreadable or vanished files are left out; a file that changed while read, or whose
        // close failed after a complete read, is kept with a warning.
        if (problem != null && (problem.kind() == FileProblem.Kind.UNREADABLE
                || problem.kind() == FileProblem.Kind.VANISHED)) {
            problem(problem);
            return;
        }
        FileMeta meta = e.meta();
        List<ChunkRef> chunks;
        switch (task.disposition()) {
            case UNCHANGED -> {
                chunks = task.parent().chunks();
                stats.filesUnchanged.incrementAndGet();
                stats.bytesTotal.addAndGet(meta.size());
            }
            case NEW, CHANGED -> {
                chunks = read;
                (task.disposition() == FileTask.Disposition.NEW ? stats.filesNew : stats.filesChanged).incrementAndGet();
                stats.bytesTotal.addAndGet(done.bytesRead());
                if (problem != null) {
                    problem(problem);
                    meta = withSize(meta, done.bytesRead());
                }
            }
            default -> {
                chunks = List.of();
                if (meta.kind() == FileKind.DIRECTORY) {
                    stats.dirs.incrementAndGet();
                } else {
                    stats.others.incrementAndGet();
                }
            }
        }
        for (ChunkRef c : chunks) {
            refs.add(c.id());
        }
        try {
            writer.add(new TreeEntry(e.path(), meta, e.hardlinkTo(), chunks));
        } catch (IOException ex) {
            throw new UncheckedIOException(ex);
        }
    }

    private void problem(FileProblem p) {
        stats.problems.incrementAndGet();
        policy.onProblem(p);
    }

    private static FileMeta withSize(FileMeta m, long size) {
        return new FileMeta(m.kind(), m.mode(), m.uid(), m.gid(), size, m.mtimeNanos(), m.atimeNanos(),
                m.ctimeNanos(), m.dev(), m.ino(), m.nlink(), m.rdev(), m.linkTarget(), m.xattrs());
    }
}

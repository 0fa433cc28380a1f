package dev.sluice.engine.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.engine.fs.FileKind;
import dev.sluice.engine.fs.FileMeta;
import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.scan.ScanEntry;
import dev.sluice.engine.tree.ChunkRef;
import dev.sluice.engine.tree.ParentCursor;
import dev.sluice.engine.tree.TreeEntry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The parent join: what counts as unchanged, and which access time an entry records. */
class ParentStageTest {
    private static FileMeta meta(FileKind kind, long size, long mtime, long atime, long ctime) {
        return new FileMeta(kind, 0644, 1000, 1000, size, mtime, atime, ctime, 1, 42, 1, 0, null, List.of());
    }

    private static byte[] path(String p) {
        return p.getBytes(StandardCharsets.UTF_8);
    }

    private static FileTask decide(TreeEntry before, FileMeta now) {
        ParentStage stage = new ParentStage(new ParentCursor(List.of(before).iterator()), false);
        return stage.decide(new ScanEntry(before.path(), Path.of("/unused"), now, null, null));
    }

    @Test
    void anUnchangedFileRecordsTheParentsAtime() {
        List<ChunkRef> chunks = List.of(new ChunkRef(BlobId.of(new byte[32]), 10));
        TreeEntry before = new TreeEntry(path("/d/f"), meta(FileKind.REGULAR, 10, 100, 150, 120), null, chunks);
        // the previous backup read the file: its atime moved, nothing else did
        FileTask t = decide(before, meta(FileKind.REGULAR, 10, 100, 999, 120));
        assertEquals(FileTask.Disposition.UNCHANGED, t.disposition());
        assertEquals(150, t.entry().meta().atimeNanos());
    }

    @Test
    void aChangedFileRecordsItsNewAtime() {
        TreeEntry before = new TreeEntry(path("/d/f"), meta(FileKind.REGULAR, 10, 100, 150, 120), null, List.of());
        FileTask t = decide(before, meta(FileKind.REGULAR, 10, 200, 999, 220));
        assertEquals(FileTask.Disposition.CHANGED, t.disposition());
        assertEquals(999, t.entry().meta().atimeNanos());
    }

    @Test
    void aListedDirectoryKeepsTheParentsAtimeUntilItChanges() {
        TreeEntry before = new TreeEntry(path("/d"), meta(FileKind.DIRECTORY, 4096, 100, 150, 120), null, List.of());
        FileTask listed = decide(before, meta(FileKind.DIRECTORY, 4096, 100, 999, 120));
        assertEquals(FileTask.Disposition.METADATA, listed.disposition());
        assertEquals(150, listed.entry().meta().atimeNanos());

        FileTask changed = decide(before, meta(FileKind.DIRECTORY, 4096, 300, 999, 300));
        assertEquals(999, changed.entry().meta().atimeNanos(), "a new file in it moved mtime and ctime");
    }
}

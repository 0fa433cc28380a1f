package dev.sluice.engine.backup;

import dev.sluice.engine.repository.BlobId;
import dev.sluice.engine.scan.FileProblem;

/**
 * What flows between the stages after the scan: for each file in scan order, zero or
 * more {@link Chunk}s followed by exactly one {@link FileDone}. Order is preserved by
 * every stage, so the tree stage can assemble entries without lookups.
 */
public sealed interface Piece permits Piece.Chunk, Piece.FileDone {

    FileTask task();

    /**
     * One chunk of a file's content. {@code plain} is null once the delta stage found the
     * sink already has it; {@code sealed} is set by the seal stage and cleared by the store.
     */
    record Chunk(FileTask task, BlobId id, int length, byte[] plain, byte[] sealed) implements Piece {
        Chunk known() {
            return new Chunk(task, id, length, null, null);
        }

        Chunk withSealed(byte[] bytes) {
            return new Chunk(task, id, length, null, bytes);
        }

        boolean isNew() {
            return plain != null || sealed != null;
        }
    }

    /** The end of a file: its final problem (unreadable, changed while read) if any. */
    record FileDone(FileTask task, FileProblem problem, long bytesRead) implements Piece {}
}

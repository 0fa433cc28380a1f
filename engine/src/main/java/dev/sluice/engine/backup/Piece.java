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
     * One chunk of a file's content. {@code plain} (its first {@code length} bytes) is null once
     * the delta stage found the sink already has it; {@code sealed} (its first
     * {@code sealedLength} bytes) is set by the seal stage and cleared by the store. Both arrays
     * come from the run's {@link dev.sluice.engine.buffer.ArrayPool}; the stage that drops one
     * gives it back.
     */
    record Chunk(FileTask task, BlobId id, int length, byte[] plain, byte[] sealed, int sealedLength)
            implements Piece {
        Chunk(FileTask task, BlobId id, int length, byte[] plain) {
            this(task, id, length, plain, null, 0);
        }

        Chunk known() {
            return new Chunk(task, id, length, null, null, 0);
        }

        Chunk withSealed(byte[] bytes, int bytesLength) {
            return new Chunk(task, id, length, null, bytes, bytesLength);
        }

        boolean isNew() {
            return plain != null || sealed != null;
        }
    }

    /** The end of a file: its final problem (unreadable, changed while read) if any. */
    record FileDone(FileTask task, FileProblem problem, long bytesRead) implements Piece {}
}

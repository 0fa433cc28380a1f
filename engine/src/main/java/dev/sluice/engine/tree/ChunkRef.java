package dev.sluice.engine.tree;

import dev.sluice.engine.repository.BlobId;

/** One chunk of a regular file's content: the blob holding it and its plaintext length. */
public record ChunkRef(BlobId id, int length) {
    public ChunkRef {
        if (id == null) {
            throw new IllegalArgumentException("chunk id is null");
        }
        if (length < 0) {
            throw new IllegalArgumentException("negative chunk length " + length);
        }
    }
}

package dev.sluice.engine.repository;

import java.util.Objects;

/** Where one sealed blob lives: its id and kind, the pack that holds it, and its byte range there. */
public record IndexEntry(BlobId id, BlobKind kind, PackId pack, long offset, int length) {
    public IndexEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(pack, "pack");
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("blob " + id.shortHex() + " in pack " + pack.shortHex()
                    + " has a negative offset or length: offset " + offset + ", length " + length);
        }
    }
}

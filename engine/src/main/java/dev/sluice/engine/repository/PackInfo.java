package dev.sluice.engine.repository;

import java.util.List;
import java.util.Objects;

/** A finished pack: its id (SHA-256 of the file), its size in bytes, and the blobs it holds. */
public record PackInfo(PackId id, long size, List<IndexEntry> entries) {
    public PackInfo {
        Objects.requireNonNull(id, "id");
        entries = List.copyOf(entries);
        if (size < 0) {
            throw new IllegalArgumentException("pack " + id.shortHex() + " has negative size " + size);
        }
        for (IndexEntry e : entries) {
            if (!e.pack().equals(id)) {
                throw new IllegalArgumentException("entry for blob " + e.id().shortHex() + " names pack "
                        + e.pack().shortHex() + " but belongs to pack " + id.shortHex());
            }
        }
    }
}

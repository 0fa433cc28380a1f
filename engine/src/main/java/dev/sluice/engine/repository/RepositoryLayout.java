package dev.sluice.engine.repository;

import java.nio.file.Path;
import java.util.Objects;

/** Where each kind of file lives under a repository root (see docs/repository.md). */
public final class RepositoryLayout {
    private final Path root;

    public RepositoryLayout(Path root) {
        this.root = Objects.requireNonNull(root, "root");
    }

    public Path root() {
        return root;
    }

    public Path config() {
        return root.resolve("config");
    }

    public Path keys() {
        return root.resolve("keys");
    }

    public Path data() {
        return root.resolve("data");
    }

    public Path index() {
        return root.resolve("index");
    }

    public Path refs() {
        return root.resolve("refs");
    }

    public Path snapshots() {
        return root.resolve("snapshots");
    }

    public Path locks() {
        return root.resolve("locks");
    }

    public Path tmp() {
        return root.resolve("tmp");
    }

    /** {@code data/<first two hex digits>/<64 hex digits>}. */
    public Path pack(PackId id) {
        String hex = id.hex();
        return data().resolve(hex.substring(0, 2)).resolve(hex);
    }

    public Path indexFile(String hex) {
        return index().resolve(hex);
    }

    public Path refsFile(BlobId id) {
        return refs().resolve(id.hex());
    }

    public Path snapshotFile(SnapshotId id) {
        return snapshots().resolve(id.hex());
    }
}

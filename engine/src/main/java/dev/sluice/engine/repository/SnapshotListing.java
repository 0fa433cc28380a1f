package dev.sluice.engine.repository;

import java.util.List;

/** The readable snapshots of a repository (oldest first) and one message per snapshot file that could not be read. */
public record SnapshotListing(List<SnapshotRecord> snapshots, List<String> problems) {
    public SnapshotListing {
        snapshots = List.copyOf(snapshots);
        problems = List.copyOf(problems);
    }
}

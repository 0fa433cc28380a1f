package dev.sluice.engine.backup;

import dev.sluice.engine.repository.SnapshotId;
import java.time.Duration;

/** The outcome of a backup run that wrote a snapshot. */
public record BackupResult(SnapshotId snapshot, SnapshotId parent, BackupStats stats, Duration duration) {
    public boolean hadProblems() {
        return stats.problems() > 0;
    }
}

package dev.sluice.engine.backup;

import dev.sluice.engine.scan.ScanRules;
import java.nio.file.Path;
import java.util.List;

/**
 * What to back up: the job and source identity the snapshot is filed under, the roots
 * and rules of the scan, whether to compare with a parent snapshot, and the error policy.
 */
public record BackupRequest(String job, String host, List<Path> roots, ScanRules rules, boolean useParent,
        ErrorPolicy errorPolicy) {
    public BackupRequest {
        if (job == null || job.isBlank()) {
            throw new IllegalArgumentException("job name is empty");
        }
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host name is empty");
        }
        if (roots == null || roots.isEmpty()) {
            throw new IllegalArgumentException("nothing to back up: no paths given");
        }
        roots = List.copyOf(roots);
    }
}

package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What this machine keeps as a sink for others ({@code global.sink}).
 *
 * @param repository the local repository that receives pushed snapshots
 * @param clients peer identity to the job names it may add snapshots to, each set non-empty
 * @param snapshotsPerHour at most this many snapshots per job and identity per hour
 */
public record SinkSpec(Path repository, Map<String, Set<String>> clients, int snapshotsPerHour) {

    /** The snapshot rate limit used when the file does not set one. */
    public static final int DEFAULT_SNAPSHOTS_PER_HOUR = 60;

    public SinkSpec {
        Objects.requireNonNull(repository, "repository");
        Map<String, Set<String>> copy = new TreeMap<>();
        clients.forEach((identity, jobs) -> {
            if (jobs.isEmpty()) {
                throw new IllegalArgumentException("sink client '" + identity + "' is listed with no job");
            }
            copy.put(identity, Set.copyOf(jobs));
        });
        clients = Map.copyOf(copy);
        if (snapshotsPerHour < 1) {
            throw new IllegalArgumentException("snapshot_rate_limit must be at least 1 per hour");
        }
    }
}

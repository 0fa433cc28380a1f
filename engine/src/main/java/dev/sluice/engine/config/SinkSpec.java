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
 * @param retention peer identity to job name to the policy the sink applies to that identity's snapshots of that
 *     job (after each session that added one, and on {@code pruneSchedule}); a job not listed is never pruned.
 *     Every identity and job must be in {@code clients}.
 * @param pruneSchedule when the sink applies every client's retention by itself; default
 *     {@link ScheduleSpec#MANUAL} (only after sessions)
 */
public record SinkSpec(Path repository, Map<String, Set<String>> clients, int snapshotsPerHour,
        Map<String, Map<String, RetentionSpec>> retention, ScheduleSpec pruneSchedule) {

    /** The snapshot rate limit used when the file does not set one. */
    public static final int DEFAULT_SNAPSHOTS_PER_HOUR = 60;

    public SinkSpec {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(pruneSchedule, "pruneSchedule");
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
        Map<String, Map<String, RetentionSpec>> policies = new TreeMap<>();
        for (Map.Entry<String, Map<String, RetentionSpec>> e : retention.entrySet()) {
            Set<String> jobs = clients.get(e.getKey());
            for (String job : e.getValue().keySet()) {
                if (jobs == null || !jobs.contains(job)) {
                    throw new IllegalArgumentException("sink retention for identity '" + e.getKey() + "' and job '"
                            + job + "', which that identity may not push");
                }
            }
            if (!e.getValue().isEmpty()) {
                policies.put(e.getKey(), Map.copyOf(e.getValue()));
            }
        }
        retention = Map.copyOf(policies);
    }

    /** A sink that never prunes by itself. */
    public SinkSpec(Path repository, Map<String, Set<String>> clients, int snapshotsPerHour) {
        this(repository, clients, snapshotsPerHour, Map.of(), ScheduleSpec.MANUAL);
    }

    /** The policy for one identity's job, or null when the sink keeps all its snapshots. */
    public RetentionSpec retentionOf(String identity, String job) {
        return retention.getOrDefault(identity, Map.of()).get(job);
    }
}

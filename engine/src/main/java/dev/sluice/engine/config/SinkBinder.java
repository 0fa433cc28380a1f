package dev.sluice.engine.config;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Binds {@code global.sink} (the repository this machine keeps for its clients, their jobs and retention) onto a
 * {@link SinkSpec}.
 */
final class SinkBinder {

    static final List<String> SINK_KEYS = List.of("repository", "clients", "snapshot_rate_limit",
            "prune_schedule");
    private static final List<String> SINK_CLIENT_KEYS = List.of("jobs", "retention", "job_retention");

    private final NodeReader reader;
    private final Problems problems;
    private final RetentionBinder retentionBinder;

    SinkBinder(NodeReader reader, RetentionBinder retention) {
        this.reader = reader;
        this.problems = reader.problems();
        this.retentionBinder = retention;
    }

    Optional<SinkSpec> sink(ConfigSection sink) {
        int before = problems.size();
        Optional<Path> repository = sink.required("repository", reader.path());
        int perHour = sink.optional("snapshot_rate_limit", Conversion.rateLimit())
                .orElse(SinkSpec.DEFAULT_SNAPSHOTS_PER_HOUR);
        Map<String, Set<String>> clients = new TreeMap<>();
        Map<String, Map<String, RetentionSpec>> retention = new TreeMap<>();
        ScheduleSpec pruneSchedule = sink.optional("prune_schedule", Conversion.schedule()).orElse(ScheduleSpec.MANUAL);
        boolean listed = sink.eachClient("{jobs: [...]}", "jobs", SINK_CLIENT_KEYS, (identity, client) -> {
            List<String> jobs = client.requiredList("jobs", Conversion.jobName(), "a list of job names");
            if (!jobs.isEmpty()) {
                clients.put(identity, new HashSet<>(jobs));
                Map<String, RetentionSpec> policies = clientRetention(client, jobs);
                if (!policies.isEmpty()) {
                    retention.put(identity, policies);
                }
            }
        });
        if (!(pruneSchedule instanceof ScheduleSpec.Manual) && retention.isEmpty() && listed) {
            problems.at(sink.present("prune_schedule").orElseThrow().value(), sink.path("prune_schedule"),
                    "prune_schedule is set but no client has a retention policy, so there is nothing to prune; give"
                            + " a client 'retention' or 'job_retention'");
        }
        if (problems.size() != before || repository.isEmpty() || clients.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new SinkSpec(repository.get(), clients, perHour, retention, pruneSchedule));
    }

    /**
     * A sink client's policies per job: {@code retention} applies to each of its jobs, {@code job_retention}
     * ({@code JOB: {keep_...}}) replaces it for the jobs it names, which must be among the client's jobs.
     */
    private Map<String, RetentionSpec> clientRetention(ConfigSection client, List<String> jobs) {
        Map<String, RetentionSpec> policies = new TreeMap<>();
        RetentionSpec all = retentionBinder.retention(client, "retention", RetentionBinder.RETENTION_KEYS);
        if (all != null) {
            jobs.forEach(job -> policies.put(job, all));
        }
        client.section("job_retention", null).ifPresent(perJob -> {
            for (YamlNode.Entry e : perJob.mapping().entries().values()) {
                if (!jobs.contains(e.key())) {
                    problems.add(e.line(), e.column(), perJob.path(e.key()), "job '" + e.key() + "' is not in this"
                            + " client's jobs (" + String.join(", ", jobs) + "); a policy needs a job it may push");
                    continue;
                }
                RetentionSpec one = retentionBinder.retention(perJob, e.key(), RetentionBinder.RETENTION_KEYS);
                if (one != null) {
                    policies.put(e.key(), one);
                }
            }
        });
        return policies;
    }
}

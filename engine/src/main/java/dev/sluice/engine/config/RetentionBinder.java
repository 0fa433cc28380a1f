package dev.sluice.engine.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Binds retention blocks ({@code keep_...} rules, and in a job's own block a prune schedule) onto
 * {@link RetentionSpec}s.
 */
final class RetentionBinder {

    /** The rules of a retention block; the first six are counts, in {@link RetentionSpec}'s order. */
    static final List<String> RETENTION_KEYS = List.of("keep_last", "keep_hourly", "keep_daily",
            "keep_weekly", "keep_monthly", "keep_yearly", "keep_within");
    /** A job's retention block may also say when the daemon prunes the job by itself. */
    static final List<String> JOB_RETENTION_KEYS = List.of("keep_last", "keep_hourly", "keep_daily",
            "keep_weekly", "keep_monthly", "keep_yearly", "keep_within", "schedule");

    private final Problems problems;

    RetentionBinder(NodeReader reader) {
        this.problems = reader.problems();
    }

    /**
     * The retention block under {@code key}, or null when absent (or when it has problems, which are recorded);
     * {@code keys} ({@link #RETENTION_KEYS} or {@link #JOB_RETENTION_KEYS}) says whether it may carry a schedule.
     */
    RetentionSpec retention(ConfigSection parent, String key, List<String> keys) {
        Optional<ConfigSection> section = parent.section(key, keys);
        if (section.isEmpty()) {
            return null;
        }
        ConfigSection r = section.get();
        int before = problems.size();
        int[] counts = new int[6];
        for (int i = 0; i < 6; i++) {
            String rule = RETENTION_KEYS.get(i);
            counts[i] = r.optional(rule, Conversion.count()).orElse(0);
        }
        Duration within = r.optional("keep_within", Conversion.duration()).orElse(Duration.ZERO);
        ScheduleSpec schedule = keys.contains("schedule")
                ? r.optional("schedule", Conversion.schedule()).orElse(ScheduleSpec.MANUAL) : ScheduleSpec.MANUAL;
        if (problems.size() != before) {
            return null;
        }
        try {
            return new RetentionSpec(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], within,
                    schedule);
        } catch (IllegalArgumentException invalid) {
            problems.at(r.mapping(), parent.path(key), invalid.getMessage());
            return null;
        }
    }
}

package dev.sluice.engine.daemon;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How one job run ended, as the daemon records it.
 *
 * @param status the job status (0 ok, 1 failed, 3 partial, ...; see README)
 * @param snapshot the snapshot written, hex, or null when none was
 * @param progress the final counters
 * @param error a sentence saying what went wrong, or null
 * @param cancelled whether the run was cancelled (then no snapshot was written)
 * @param hooks the hooks that ran, with their durations
 * @param facts what the job type reports of a run, by name (numbers and strings, in a stable order; a mirror's
 *     are {@code MirrorJob.Outcome#facts}), for a command that handed the run over; empty when it reports none
 * @param problems the first of the files the run could not read (the log has each), for the same command
 */
public record RunReport(int status, String snapshot, Progress progress, String error, boolean cancelled,
        List<HookTime> hooks, Map<String, Object> facts, List<String> problems) {

    /** One hook run: its point and how long it took. */
    public record HookTime(String point, Duration duration, boolean ok) {}

    /** A report without facts or problems to hand on. */
    public RunReport(int status, String snapshot, Progress progress, String error, boolean cancelled,
            List<HookTime> hooks) {
        this(status, snapshot, progress, error, cancelled, hooks, Map.of(), List.of());
    }

    public RunReport {
        Objects.requireNonNull(progress, "progress");
        hooks = List.copyOf(hooks);
        facts = Collections.unmodifiableMap(new LinkedHashMap<>(facts));
        problems = List.copyOf(problems);
        if (status < 0 || status > 255) {
            throw new IllegalArgumentException("a status is 0 to 255, found " + status);
        }
    }
}

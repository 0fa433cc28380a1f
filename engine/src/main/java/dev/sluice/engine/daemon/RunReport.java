package dev.sluice.engine.daemon;

import java.time.Duration;
import java.util.List;
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
 */
public record RunReport(int status, String snapshot, Progress progress, String error, boolean cancelled,
        List<HookTime> hooks) {

    /** One hook run: its point and how long it took. */
    public record HookTime(String point, Duration duration, boolean ok) {}

    public RunReport {
        Objects.requireNonNull(progress, "progress");
        hooks = List.copyOf(hooks);
        if (status < 0 || status > 255) {
            throw new IllegalArgumentException("a status is 0 to 255, found " + status);
        }
    }
}

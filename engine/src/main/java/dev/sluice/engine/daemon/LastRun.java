package dev.sluice.engine.daemon;

import java.time.Instant;
import java.util.Objects;

/** The last finished run of a job: when it started and ended and how it went. */
public record LastRun(Instant started, Instant ended, RunReport report) {
    public LastRun {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(ended, "ended");
        Objects.requireNonNull(report, "report");
    }
}

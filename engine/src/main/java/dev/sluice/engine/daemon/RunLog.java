package dev.sluice.engine.daemon;

import java.time.Duration;
import java.time.Instant;

/** Logs each run's start and end as one line each, with job, peer identity and snapshot. */
public final class RunLog implements RunListener {
    private final EventLog log;

    public RunLog(EventLog log) {
        this.log = log;
    }

    @Override
    public void started(String job, String trigger, Instant at) {
        log.info("job.start", "job", job, "peer", "local", "trigger", trigger);
    }

    @Override
    public void finished(String job, Instant started, Instant ended, RunReport r) {
        String level = r.status() == 0 ? "info" : r.status() == 3 ? "warn" : "error";
        log.log(level, "job.end", "job", job, "peer", "local", "snapshot", r.snapshot(), "status", r.status(),
                "cancelled", r.cancelled() ? "true" : null, "ms", Duration.between(started, ended).toMillis(),
                "files", r.progress().files(), "bytes_read", r.progress().bytesRead(),
                "bytes_added", r.progress().bytesAdded(), "problems", r.progress().problems(), "error", r.error());
    }
}

package dev.sluice.engine.daemon;

import java.time.Instant;

/** Hears about job runs starting and ending, e.g. to log them and count them in the metrics. */
public interface RunListener {

    /** A run started; {@code trigger} says why (schedule, missed, control). */
    void started(String job, String trigger, Instant at);

    /** A run ended. */
    void finished(String job, Instant started, Instant ended, RunReport report);
}

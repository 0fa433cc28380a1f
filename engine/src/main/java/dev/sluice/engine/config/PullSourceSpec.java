package dev.sluice.engine.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Where a pull job (on the sink) gets its snapshots: the source's job name and either how to dial the source
 * ({@code source: {job, tls|ssh}}) or the identity whose dialed-in link to wait for ({@code source: {job, reverse,
 * wait}}).
 *
 * @param job the job's name at the source; snapshots are filed under it and the source's identity
 * @param connect how to dial the source, or null for a reverse pull
 * @param reverse the source identity whose parked link a reverse pull uses, or null when dialing
 * @param reverseWait how long a reverse pull waits for the source's link
 * @param snapshotsPerHour {@code source.snapshot_rate_limit}: at most this many snapshots of the source's job an
 *     hour, or null when not set (then {@code global.sink.snapshot_rate_limit}, else 60/h)
 */
public record PullSourceSpec(String job, ConnectSpec connect, String reverse, Duration reverseWait,
        Integer snapshotsPerHour) {
    /** How long a reverse pull waits for the source's link when the file does not say. */
    public static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);

    /** A source without its own snapshot rate limit. */
    public PullSourceSpec(String job, ConnectSpec connect, String reverse, Duration reverseWait) {
        this(job, connect, reverse, reverseWait, null);
    }

    public PullSourceSpec {
        Objects.requireNonNull(job, "job");
        if (snapshotsPerHour != null && snapshotsPerHour < 1) {
            throw new IllegalArgumentException("source.snapshot_rate_limit must allow at least 1 snapshot an hour");
        }
        Objects.requireNonNull(reverseWait, "reverseWait");
        if ((connect == null) == (reverse == null)) {
            throw new IllegalArgumentException("a pull source is either dialed (tls or ssh) or reverse, not both"
                    + " or neither");
        }
    }

    /** The source's identity as this sink files it. */
    public String peer() {
        return connect != null ? connect.peer() : reverse;
    }

    /** The snapshot rate limit for this source: its own, else {@code sink}'s (when not null), else 60 an hour. */
    public int snapshotsPerHour(SinkSpec sink) {
        return snapshotsPerHour != null ? snapshotsPerHour
                : sink != null ? sink.snapshotsPerHour() : SinkSpec.DEFAULT_SNAPSHOTS_PER_HOUR;
    }

    public String describe() {
        return connect != null ? "job " + job + " at " + connect.describe() : "job " + job + " from reverse " + reverse;
    }
}

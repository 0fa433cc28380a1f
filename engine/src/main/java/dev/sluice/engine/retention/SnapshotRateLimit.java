package dev.sluice.engine.retention;

import dev.sluice.engine.repository.SnapshotRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;

/**
 * The sink's guard against a source that floods snapshots to push good ones out of the retention buckets:
 * at most {@code maxPerHour} snapshots of one (job, host) whose recorded (receipt) time lies in the hour
 * before a new one arrives. A sink applies it before it accepts a snapshot record.
 */
public record SnapshotRateLimit(int maxPerHour) {
    /** The default: one snapshot a minute on average, far above any sensible schedule. */
    public static final SnapshotRateLimit DEFAULT = new SnapshotRateLimit(60);

    private static final Duration WINDOW = Duration.ofHours(1);

    public SnapshotRateLimit {
        if (maxPerHour < 1) {
            throw new IllegalArgumentException("the snapshot rate limit must allow at least one snapshot an hour,"
                    + " got " + maxPerHour);
        }
    }

    /**
     * Throws if accepting a snapshot of {@code job} from {@code host} at {@code receipt} would exceed the
     * limit, given the snapshots already stored.
     */
    public void check(Collection<SnapshotRecord> stored, String job, String host, Instant receipt)
            throws SnapshotRateLimitException {
        Objects.requireNonNull(receipt, "receipt");
        Instant from = receipt.minus(WINDOW);
        int recent = 0;
        for (SnapshotRecord s : stored) {
            if (s.job().equals(job) && s.host().equals(host) && s.time().isAfter(from) && !s.time().isAfter(receipt)) {
                recent++;
            }
        }
        if (recent >= maxPerHour) {
            throw new SnapshotRateLimitException("refusing a snapshot of job '" + job + "' from host '" + host
                    + "': it already sent " + recent + " snapshots in the hour before " + receipt + ", and this sink"
                    + " accepts at most " + maxPerHour + " an hour per job and host");
        }
    }
}

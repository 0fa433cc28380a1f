package dev.sluice.engine.retention;

import java.io.IOException;

/** A source sent more snapshots in an hour than the sink's {@link SnapshotRateLimit} allows. */
public final class SnapshotRateLimitException extends IOException {
    private static final long serialVersionUID = 1L;

    public SnapshotRateLimitException(String message) {
        super(message);
    }
}

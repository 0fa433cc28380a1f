package dev.sluice.engine.protocol;

import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.PeerIdentity;
import java.util.Map;
import java.util.Set;

/**
 * What a sink allows each authenticated peer: the job names it may add snapshots to, and the snapshot rate limit
 * applied before every commit.
 */
public record SinkPolicy(Map<PeerIdentity, Set<String>> jobs, SnapshotRateLimit rateLimit) {
    public SinkPolicy {
        if (jobs == null || rateLimit == null) {
            throw new IllegalArgumentException("a sink policy needs a job map and a snapshot rate limit");
        }
        jobs.forEach((peer, names) -> {
            if (names == null || names.isEmpty()) {
                throw new IllegalArgumentException("peer " + peer.name() + " is listed with no job");
            }
        });
        jobs = Map.copyOf(jobs);
    }

    /** True if {@code peer} may add snapshots of {@code job}. */
    public boolean allows(PeerIdentity peer, String job) {
        Set<String> allowed = jobs.get(peer);
        return allowed != null && allowed.contains(job);
    }
}

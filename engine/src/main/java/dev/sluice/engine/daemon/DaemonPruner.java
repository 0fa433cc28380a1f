package dev.sluice.engine.daemon;

import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.repository.RepositoryLockedException;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionDecision;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Runs the daemon's prunes of a local repository (after a snapshot, on a job's retention schedule, at the sink)
 * and reports each one: a log line per scope with the snapshots kept and removed, one with the bytes freed, and
 * the {@code sluice_prune_*} metrics. A busy repository lock is not an error here: the prune is deferred (logged
 * as {@code prune.deferred}) and the caller tries again at its next occasion.
 */
public final class DaemonPruner {

    /** How one prune ended: the job status (0 ok, 11 locked, ...), an error sentence or null, and the totals. */
    public record Result(int status, String error, int kept, int removed, long bytesFreed) {
        /** True if the repository lock was busy, so nothing was done. */
        public boolean deferred() {
            return status == JobStatus.LOCKED;
        }
    }

    private final EventLog log;
    private final Metrics metrics;
    private final Clock clock;
    private final RepositoryLock.Owner owner;
    private final RepositoryGate gate;

    /** A pruner with a gate of its own (no backups of this daemon to wait for). */
    public DaemonPruner(EventLog log, Metrics metrics, Clock clock, RepositoryLock.Owner owner) {
        this(log, metrics, clock, owner, new RepositoryGate());
    }

    /**
     * @param metrics where the {@code sluice_prune_*} series go, or null for none
     * @param gate    shared with the daemon's backups: a prune finding one of them running is deferred
     */
    public DaemonPruner(EventLog log, Metrics metrics, Clock clock, RepositoryLock.Owner owner, RepositoryGate gate) {
        this.gate = gate;
        this.log = log;
        this.metrics = metrics;
        this.clock = clock;
        this.owner = owner;
        if (metrics != null) {
            metrics.declare("sluice_prune_runs_total", Metrics.Type.COUNTER,
                            "Prunes per job and peer, by status (0 done, 11 deferred: the repository was locked).")
                    .declare("sluice_prune_snapshots_kept", Metrics.Type.GAUGE,
                            "Snapshots of the job and peer that the last prune kept.")
                    .declare("sluice_prune_snapshots_removed_total", Metrics.Type.COUNTER,
                            "Snapshots of the job and peer that prunes removed.")
                    .declare("sluice_prune_bytes_freed_total", Metrics.Type.COUNTER,
                            "Bytes freed in the repository by prunes (deleted minus written).")
                    .declare("sluice_prune_duration_seconds_total", Metrics.Type.COUNTER,
                            "Time spent pruning the repository.")
                    .declare("sluice_prune_last_success_timestamp_seconds", Metrics.Type.GAUGE,
                            "End of the last prune of the repository that completed, seconds since the epoch.");
        }
    }

    /**
     * Prunes {@code repository} with {@code scopes} (each names its job, and as host the peer identity or this
     * machine's host) under the exclusive lock; never throws for a failed prune.
     *
     * @param peer {@code local} for this machine's own jobs, else the sink client's identity (for logs and labels)
     * @param trigger why it runs: {@code snapshot}, {@code schedule}, {@code session}, {@code control}
     */
    public Result prune(Path repository, String peer, List<Pruner.Scope> scopes, String trigger) {
        String jobs = String.join(",", scopes.stream().map(s -> s.job() == null ? "*" : s.job()).toList());
        return gate.prune(repository, () -> locked(repository, peer, scopes, trigger, jobs), () -> {
            log.info("prune.deferred", "job", jobs, "peer", peer, "trigger", trigger, "repository", repository,
                    "reason", "a backup of this repository is running in this daemon; trying again at the next"
                            + " occasion");
            count(scopes, peer, JobStatus.LOCKED);
            return new Result(JobStatus.LOCKED, "a backup of " + repository + " is running", 0, 0, 0);
        });
    }

    /** The gate is ours; now the repository lock. */
    private Result locked(Path repository, String peer, List<Pruner.Scope> scopes, String trigger, String jobs) {
        Instant start = clock.instant();
        Pruner.Outcome outcome;
        try {
            // frequent automatic prunes skip the repository-wide collection when no snapshot expires
            outcome = Pruner.run(repository, scopes, GcOptions.DEFAULT, owner, clock, Pruner.Collect.WHEN_FORGETTING);
        } catch (RepositoryLockedException e) {
            log.info("prune.deferred", "job", jobs, "peer", peer, "trigger", trigger, "repository", repository,
                    "reason", "the repository is locked; trying again at the next occasion", "detail",
                    e.getMessage());
            count(scopes, peer, JobStatus.LOCKED);
            return new Result(JobStatus.LOCKED, describe(e), 0, 0, 0);
        } catch (Exception e) {
            int status = JobStatus.of(e);
            log.warn("prune.failed", "job", jobs, "peer", peer, "trigger", trigger, "repository", repository,
                    "status", status, "error", describe(e));
            count(scopes, peer, status);
            return new Result(status, "retention failed: " + describe(e), 0, 0, 0);
        }
        int keptTotal = 0;
        int removedTotal = 0;
        for (int i = 0; i < scopes.size(); i++) {
            Pruner.Scope scope = scopes.get(i);
            List<RetentionDecision> plan = outcome.decisions().get(i);
            int kept = (int) plan.stream().filter(RetentionDecision::keep).count();
            int removed = plan.size() - kept;
            keptTotal += kept;
            removedTotal += removed;
            String scopePeer = scope.host() == null || peer.equals("local") ? peer : scope.host();
            log.info("prune.scope", "job", scope.job(), "peer", scopePeer, "trigger", trigger,
                    "policy", scope.policy().describe(), "kept", kept, "removed", removed);
            if (metrics != null) {
                String job = scope.job() == null ? "*" : scope.job();
                metrics.add("sluice_prune_runs_total", 1, "job", job, "peer", scopePeer, "status", "0");
                metrics.set("sluice_prune_snapshots_kept", kept, "job", job, "peer", scopePeer);
                metrics.add("sluice_prune_snapshots_removed_total", removed, "job", job, "peer", scopePeer);
            }
        }
        Instant end = clock.instant();
        long ms = Duration.between(start, end).toMillis();
        log.info("prune.done", "job", jobs, "peer", peer, "trigger", trigger, "kept", keptTotal,
                "removed", removedTotal, "gc", outcome.collected() ? "done" : "skipped",
                "bytes_freed", outcome.gc().bytesFreed(),
                "packs_deleted", outcome.gc().packsDeleted(), "packs_rewritten", outcome.gc().packsRewritten(),
                "ms", ms);
        if (metrics != null) {
            String repo = repository.toString();
            metrics.add("sluice_prune_bytes_freed_total", outcome.gc().bytesFreed(), "repository", repo);
            metrics.add("sluice_prune_duration_seconds_total", ms / 1000.0, "repository", repo);
            metrics.set("sluice_prune_last_success_timestamp_seconds", end.toEpochMilli() / 1000.0,
                    "repository", repo);
        }
        return new Result(JobStatus.OK, null, keptTotal, removedTotal, outcome.gc().bytesFreed());
    }

    private void count(List<Pruner.Scope> scopes, String peer, int status) {
        if (metrics == null) {
            return;
        }
        for (Pruner.Scope scope : scopes) {
            String scopePeer = scope.host() == null || peer.equals("local") ? peer : scope.host();
            metrics.add("sluice_prune_runs_total", 1, "job", scope.job() == null ? "*" : scope.job(),
                    "peer", scopePeer, "status", Integer.toString(status));
        }
    }

    static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }
}

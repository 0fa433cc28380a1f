package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.PullJob;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import dev.sluice.engine.retention.SnapshotRateLimit;
import java.time.Clock;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * Runs the daemon's pull jobs ({@code type: pull}) with {@link PullJob} and, after a snapshot arrived, the job's
 * retention on its local repository (scope: the source's job and identity); every other job goes to the next runner.
 */
public final class PullJobRunner implements JobRunner {
    private final JobRunner next;
    private final PullJob pull;
    private final Clock clock;
    private final EventLog log;
    private final SnapshotRateLimit rateLimit;

    /**
     * @param next runs the jobs that are not pull jobs
     * @param parked the links sources parked here for reverse pulls
     * @param io where the sink's repository work runs
     */
    public PullJobRunner(JobRunner next, ParkedLinks parked, Clock clock, Scheduler io, EventLog log) {
        this.next = next;
        this.pull = new PullJob(clock, io, parked);
        this.clock = clock;
        this.log = log;
        this.rateLimit = SnapshotRateLimit.DEFAULT;
    }

    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        if (job.type() != JobType.PULL) {
            return next.run(job, config, progress, cancellation);
        }
        LocalRepositorySpec repository = (LocalRepositorySpec) job.repository();
        PullJob.Outcome outcome = pull.run(new PullJob.Plan(job.name(), job.source(), repository.path(), rateLimit),
                cancellation);
        String error = outcome.failure() == null ? null : outcome.failure().getMessage();
        Progress done = Progress.NONE;
        if (outcome.snapshot() != null) {
            var s = outcome.snapshot();
            done = new Progress(s.files(), s.bytes(), s.addedBytes(), s.addedBytes(), 0);
            if (job.retention() != null) {
                String pruneError = retention(job, repository, outcome.peer());
                if (pruneError != null) {
                    error = error == null ? pruneError : error + "; " + pruneError;
                }
            }
        }
        return new RunReport(outcome.status(), outcome.snapshot() == null ? null : outcome.snapshot().id().hex(),
                done, error, cancellation.cancelled() && outcome.snapshot() == null, List.of());
    }

    /** Prunes the pulled snapshots (the source's job, filed under the source's identity) by the job's rules. */
    private String retention(JobSpec job, LocalRepositorySpec repository, String peer) {
        var r = job.retention();
        RetentionPolicy policy = new RetentionPolicy(r.keepLast(), r.keepHourly(), r.keepDaily(), r.keepWeekly(),
                r.keepMonthly(), r.keepYearly(), r.keepWithin());
        try {
            Pruner.Outcome pruned = Pruner.run(repository.path(),
                    List.of(new Pruner.Scope(job.source().job(), peer, policy)), GcOptions.DEFAULT,
                    RepositoryLock.Owner.current(), clock);
            log.info("prune.done", "job", job.name(), "bytes_freed", Long.toString(pruned.gc().bytesFreed()));
            return null;
        } catch (Exception e) {
            log.warn("prune.failed", "job", job.name(), "error", String.valueOf(e.getMessage()));
            return "retention failed: " + e.getMessage() + " (status " + JobStatus.of(e) + ")";
        }
    }
}

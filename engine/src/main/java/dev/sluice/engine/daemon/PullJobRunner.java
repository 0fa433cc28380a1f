package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.gc.GcOptions;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.PullJob;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * Runs the daemon's pull jobs ({@code type: pull}) with {@link PullJob}: the job's own hooks (job.start, prune.post,
 * job.end), its snapshot rate limit ({@code source.snapshot_rate_limit}, else {@code global.sink}'s, else 60/h) and,
 * after a snapshot arrived, its retention on its local repository (scope: the source's job and identity); every
 * other job goes to the next runner.
 */
public final class PullJobRunner implements JobRunner {
    private final JobRunner next;
    private final PullJob pull;
    private final Clock clock;
    private final EventLog log;

    /**
     * @param next runs the jobs that are not pull jobs
     * @param parked the links sources parked here for reverse pulls
     * @param io where the sink's repository work runs
     */
    public PullJobRunner(JobRunner next, ParkedLinks parked, Clock clock, Scheduler io, EventLog log) {
        this(next, parked, clock, io, log, null);
    }

    /** @param hooks runs the pull jobs' hooks (with its log), or null: then a pull job with hooks fails */
    public PullJobRunner(JobRunner next, ParkedLinks parked, Clock clock, Scheduler io, EventLog log,
            BackupJobRunner hooks) {
        this.next = next;
        this.pull = hooks == null ? new PullJob(clock, io, parked)
                : new PullJob(clock, io, parked, new HookRunner(io, hooks.hookLog()), hooks.hookLog());
        this.clock = clock;
        this.log = log;
    }

    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        if (job.type() != JobType.PULL) {
            return next.run(job, config, progress, cancellation);
        }
        LocalRepositorySpec repository = (LocalRepositorySpec) job.repository();
        PullJob.Plan plan;
        try {
            plan = JobPlans.planPull(job, config);
        } catch (IllegalArgumentException e) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, e.getMessage(), false, List.of());
        }
        String[] pruneError = new String[1];
        PullJob.Outcome outcome = pull.run(plan, null, cancellation, (arrived, peer) -> {
            if (job.retention() == null) {
                return OptionalInt.empty();
            }
            pruneError[0] = retention(job, repository, peer);
            return OptionalInt.of(pruneError[0] == null ? JobStatus.OK : JobStatus.FAILURE);
        });
        String error = outcome.failure() == null ? null : outcome.failure().getMessage();
        if (pruneError[0] != null) {
            error = error == null ? pruneError[0] : error + "; " + pruneError[0];
        }
        Progress done = Progress.NONE;
        if (outcome.snapshot() != null) {
            var s = outcome.snapshot();
            done = new Progress(s.files(), s.bytes(), s.addedBytes(), s.addedBytes(), 0);
        }
        List<RunReport.HookTime> hooks = new ArrayList<>();
        for (HookResult h : outcome.hooks()) {
            hooks.add(new RunReport.HookTime(h.point().id(), h.duration(), h.ok()));
        }
        return new RunReport(outcome.status(), outcome.snapshot() == null ? null : outcome.snapshot().id().hex(),
                done, error, cancellation.cancelled() && outcome.snapshot() == null, hooks);
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

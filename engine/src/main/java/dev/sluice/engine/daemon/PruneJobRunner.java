package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/**
 * Runs a job's retention on its own ({@code retention.schedule}, the daemon's {@code JOB:prune} slot), without a
 * backup and without the key: prunes the job's snapshots of this host in its local repository. A busy repository
 * lock ends the run with status 11 and the prune waits for the next slot. The job's {@code prune.post} hooks run
 * after it with its status, as after the prune that follows a snapshot.
 */
public final class PruneJobRunner implements JobRunner {
    private final DaemonPruner pruner;
    private final Scheduler hookIo;
    private final EventLog log;

    /**
     * @param hookIo where the job's {@code prune.post} hooks are run from (they get the prune's status)
     */
    public PruneJobRunner(DaemonPruner pruner, Scheduler hookIo, EventLog log) {
        this.pruner = pruner;
        this.hookIo = hookIo;
        this.log = log;
    }

    /** Prune cannot stop half-way without leaving work for the next one, so cancellation is not checked. */
    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        if (job.retention() == null) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, "job " + job.name() + " has no retention"
                    + " block; nothing to prune", false, List.of());
        }
        if (!(job.repository() instanceof LocalRepositorySpec local)) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, "job " + job.name() + " keeps its snapshots"
                    + " at a sink; the sink prunes them (global.sink.clients.ID.retention there)", false, List.of());
        }
        DaemonPruner.Result r = pruner.prune(local.path(), "local", List.of(new Pruner.Scope(job.name(),
                config.global().host(), RetentionPolicy.of(job.retention()))), "schedule");
        List<RunReport.HookTime> hooks;
        try {
            hooks = BackupJobRunner.prunePost(job.name(), JobPlans.hooks(job),
                    config.file().toAbsolutePath().getParent(), r.status(), hookIo, BackupJobRunner.hookLog(log));
        } catch (IllegalArgumentException e) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, e.getMessage(), false, List.of());
        }
        return new RunReport(r.status(), null, Progress.NONE, r.error(), false, hooks);
    }
}

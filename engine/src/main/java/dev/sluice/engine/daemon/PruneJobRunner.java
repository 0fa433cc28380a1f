package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.LocalRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a job's retention on its own ({@code retention.schedule}, the daemon's {@code JOB:prune} slot), without a
 * backup and without the key: prunes the job's snapshots of this host in its local repository. A busy repository
 * lock ends the run with status 11 and the prune waits for the next slot.
 */
public final class PruneJobRunner implements JobRunner {
    private final DaemonPruner pruner;

    public PruneJobRunner(DaemonPruner pruner) {
        this.pruner = pruner;
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
        return new RunReport(r.status(), null, Progress.NONE, r.error(), false, List.of());
    }
}

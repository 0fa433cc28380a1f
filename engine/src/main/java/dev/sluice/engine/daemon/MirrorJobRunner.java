package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.FailureSentence;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.mirror.MirrorResult;
import dev.sluice.engine.mirror.dest.MirrorTarget;
import dev.sluice.engine.mirror.dest.MirrorTargetStats;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.Link;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Runs a configured mirror job for the daemon through {@link MirrorJob} (with its hooks; a pull job takes a parked
 * link for a reverse pull; a job its receiver pulls runs over the link handed to {@link #run(JobSpec, SluiceConfig,
 * Consumer, Cancellation, Link)}), logging its warnings and summary.
 */
public final class MirrorJobRunner implements JobRunner {
    private final MirrorJob mirror;
    private final EventLog log;

    /** A runner without parked links (a reverse pull job cannot run). */
    public MirrorJobRunner(Workers workers, Clock clock, EventLog log) {
        this(workers, clock, log, null, BackupJobRunner.hookLog(log));
    }

    /** @param parked links senders parked at this daemon for its reverse mirror pulls */
    public MirrorJobRunner(Workers workers, Clock clock, EventLog log, ParkedLinks parked) {
        this(workers, clock, log, parked, BackupJobRunner.hookLog(log));
    }

    private MirrorJobRunner(Workers workers, Clock clock, EventLog log, ParkedLinks parked, HookLog hookLog) {
        this.log = log;
        this.mirror = new MirrorJob(workers.io(), m -> log.warn("mirror.insecure", "message", m),
                new HookRunner(workers.io(), hookLog), hookLog, parked, (dir, o) -> MirrorTarget.open(dir, o, clock));
    }

    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        return run(job, config, progress, cancellation, null);
    }

    /** Runs the job; a job its receiver pulls over {@code pulledOver}, the link the MIRROR_PULL came on (else null). */
    RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress, Cancellation cancellation,
            Link pulledOver) {
        MirrorJob.Plan plan;
        try {
            plan = MirrorJob.plan(job, config.file().toAbsolutePath().getParent());
        } catch (IllegalArgumentException e) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, e.getMessage(), false, List.of());
        }
        MirrorJob.Outcome o = pulledOver != null ? mirror.runPulled(plan, pulledOver, cancellation)
                : mirror.run(plan, cancellation);
        List<RunReport.HookTime> hooks = new ArrayList<>();
        for (HookResult h : o.hooks()) {
            hooks.add(new RunReport.HookTime(h.point().id(), h.duration(), h.ok()));
        }
        MirrorResult r = o.result();
        if (r != null) {
            for (String p : r.problems()) {
                log.warn("file.problem", "job", job.name(), "message", p);
            }
        }
        MirrorTargetStats t = o.received();
        Progress done = Progress.NONE;
        if (r != null) {
            log.info("mirror.done", "job", job.name(), "tree", t.finalTree(), "files_written",
                    Long.toString(r.filesWritten()), "files_kept", Long.toString(r.filesKept()), "bytes_sent",
                    Long.toString(r.bytesSent()));
            done = new Progress(r.filesWritten() + r.filesKept(), r.literalBytes() + r.copiedBytes(),
                    r.literalBytes(), r.bytesSent(), r.problemCount());
        } else if (t != null) {
            log.info("mirror.received", "job", job.name(), "tree", t.finalTree(), "files_written",
                    Long.toString(t.filesWritten()), "files_kept", Long.toString(t.filesKept()), "bytes_written",
                    Long.toString(t.bytesWritten()));
            done = new Progress(t.filesWritten() + t.filesKept(), t.bytesWritten() + t.bytesCopiedFromBasis(),
                    t.bytesWritten(), t.bytesWritten(), 0);
        }
        String error = o.failure() == null ? null : FailureSentence.of(o.failure());
        return new RunReport(o.status(), null, done, error, cancellation.cancelled() && t == null, hooks, o.facts(),
                r == null ? List.of() : r.problems());
    }
}

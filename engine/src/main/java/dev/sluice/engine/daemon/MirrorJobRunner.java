package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.job.MirrorJob;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.mirror.MirrorResult;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** Runs a configured mirror job for the daemon through {@link MirrorJob}, logging its warnings and summary. */
public final class MirrorJobRunner implements JobRunner {
    private final MirrorJob mirror;
    private final EventLog log;

    public MirrorJobRunner(Workers workers, java.time.Clock clock, EventLog log) {
        this.log = log;
        this.mirror = new MirrorJob(workers.io(), clock, m -> log.warn("mirror.insecure", "message", m));
    }

    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        MirrorJob.Plan plan;
        try {
            plan = MirrorJob.plan(job);
        } catch (IllegalArgumentException e) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, e.getMessage(), false, List.of());
        }
        try {
            MirrorResult r = mirror.run(plan);
            for (String p : r.problems()) {
                log.warn("file.problem", "job", job.name(), "message", p);
            }
            log.info("mirror.done", "job", job.name(), "tree", r.receiver().finalTree(), "files_written",
                    Long.toString(r.filesWritten()), "files_kept", Long.toString(r.filesKept()), "bytes_sent",
                    Long.toString(r.bytesSent()));
            Progress done = new Progress(r.filesWritten() + r.filesKept(), r.literalBytes() + r.copiedBytes(),
                    r.literalBytes(), r.bytesSent(), r.problemCount());
            return new RunReport(r.problemCount() > 0 ? JobStatus.PARTIAL : JobStatus.OK, null, done, null, false,
                    List.of());
        } catch (Exception e) {
            String m = e.getMessage() == null ? e.toString() : e.getMessage();
            return new RunReport(JobStatus.FAILURE, null, Progress.NONE, m, cancellation.cancelled(), List.of());
        }
    }
}

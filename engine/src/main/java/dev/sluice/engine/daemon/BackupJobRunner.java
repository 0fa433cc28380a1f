package dev.sluice.engine.daemon;

import dev.sluice.engine.backup.BackupStats;
import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.repository.RepositoryLock;
import dev.sluice.engine.retention.Pruner;
import dev.sluice.engine.retention.RetentionPolicy;
import dev.sluice.hook.HookContext;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.hook.HookSession;
import dev.sluice.transport.Link;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import reactor.core.scheduler.Scheduler;

/** Runs a configured backup job with its hooks through {@link BackupJob}, logging file problems and hook output. */
public final class BackupJobRunner implements JobRunner {
    private final Workers workers;
    private final Clock clock;
    private final EventLog log;
    private final Map<String, String> env;
    private final DaemonPruner pruner;
    private final RepositoryGate gate;
    private final MirrorJobRunner mirrors;

    /**
     * @param env the daemon's environment, for SLUICE_KEY_FILE / SLUICE_PASSWORD_FILE when a job names neither
     */
    public BackupJobRunner(Workers workers, Clock clock, EventLog log, Map<String, String> env) {
        this(workers, clock, log, env, new RepositoryGate(), null, null);
    }

    /**
     * @param gate    shared with the daemon's prunes: a backup of a local repository waits for a prune of it
     * @param metrics where the prune after each snapshot is counted, or null
     * @param mirrors runs mirror jobs (or, when null, a runner without parked links)
     */
    public BackupJobRunner(Workers workers, Clock clock, EventLog log, Map<String, String> env, RepositoryGate gate,
            Metrics metrics, MirrorJobRunner mirrors) {
        this.workers = workers;
        this.clock = clock;
        this.log = log;
        this.env = Map.copyOf(env);
        this.gate = gate;
        this.pruner = new DaemonPruner(log, metrics, clock, RepositoryLock.Owner.current(), gate);
        this.mirrors = mirrors;
    }

    private MirrorJobRunner mirrors() {
        return mirrors != null ? mirrors : new MirrorJobRunner(workers, clock, log);
    }

    @Override
    public RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation) {
        return run(job, config, progress, cancellation, null);
    }

    /** Runs the job; a pulled job over {@code pulledOver}, the link its sink sent PULL on (else null). */
    RunReport run(JobSpec job, SluiceConfig config, Consumer<Supplier<Progress>> progress,
            Cancellation cancellation, Link pulledOver) {
        if (job.type() == JobType.MIRROR) {
            return mirrors().run(job, config, progress, cancellation, pulledOver);
        }
        BackupJob.Plan plan;
        try {
            plan = plan(job, config, pulledOver);
        } catch (IllegalArgumentException e) {
            return new RunReport(JobStatus.USAGE, null, Progress.NONE, e.getMessage(), false, List.of());
        }
        HookLog hookLog = hookLog(log);
        BackupJob backup = new BackupJob(workers, clock, new HookRunner(workers.io(), hookLog), hookLog);
        BackupStats[] live = new BackupStats[1];
        Supplier<BackupJob.Outcome> run = () -> backup.run(plan, stats -> {
            live[0] = stats;
            progress.accept(() -> progressOf(stats));
        }, cancellation);
        BackupJob.Outcome outcome = plan.sink() != null ? run.get() : gate.backup(plan.target().repository(), run);
        BackupStats stats = outcome.result() != null ? outcome.result().stats() : live[0];
        List<RunReport.HookTime> hooks = new ArrayList<>();
        for (HookResult h : outcome.hooks()) {
            hooks.add(new RunReport.HookTime(h.point().id(), h.duration(), h.ok()));
        }
        String error = outcome.failure() == null ? null : describe(outcome.failure());
        if (outcome.result() != null && job.retention() != null && plan.sink() != null) {
            // The source cannot prune a sink's repository; pruning happens at the sink.
            log.info("prune.skipped", "job", job.name(), "reason", "the repository is at a sink");
        } else if (outcome.result() != null && job.retention() != null
                && (outcome.status() == JobStatus.OK || outcome.status() == JobStatus.PARTIAL)) {
            String pruneError = applyRetention(job, config, plan, hookLog, hooks);
            if (pruneError != null) {
                error = error == null ? pruneError : error + "; " + pruneError;
            }
        }
        return new RunReport(outcome.status(),
                outcome.result() == null ? null : outcome.result().snapshot().hex(),
                stats == null ? Progress.NONE : progressOf(stats), error,
                cancellation.cancelled() && outcome.result() == null, hooks);
    }

    static Progress progressOf(BackupStats s) {
        return new Progress(s.files(), s.bytesRead(), s.bytesAdded(), s.bytesAdded(), s.problems());
    }

    /**
     * Applies the job's retention policy right after a successful snapshot, as the sink, and
     * runs its prune.post hooks with the prune's status. A failed prune never changes the
     * backup's status: the snapshot is written; the error is reported with the run.
     */
    private String applyRetention(JobSpec job, SluiceConfig config, BackupJob.Plan plan, HookLog hookLog,
            List<RunReport.HookTime> hookTimes) {
        DaemonPruner.Result pruned = pruner.prune(plan.target().repository(), "local",
                List.of(new Pruner.Scope(job.name(), config.global().host(), RetentionPolicy.of(job.retention()))),
                "snapshot");
        int status = pruned.status();
        // a busy lock (another prune, a check) only defers the prune to the next snapshot or retention schedule
        String error = pruned.deferred() ? null : pruned.error();
        hookTimes.addAll(prunePost(job.name(), plan.hooks(), plan.workingDirectory(), status, workers.io(), hookLog));
        return error;
    }

    /** Runs the {@code prune.post} hooks among {@code hooks} (on the sink side) with the prune's status. */
    static List<RunReport.HookTime> prunePost(String job, List<HookDefinition> hooks, Path workingDirectory,
            int status, Scheduler io, HookLog hookLog) {
        List<HookDefinition> pruneHooks = hooks.stream().filter(h -> h.point() == HookPoint.PRUNE_POST).toList();
        if (pruneHooks.isEmpty()) {
            return List.of();
        }
        HookSession session = new HookSession(new HookRunner(io, hookLog), hookLog, pruneHooks,
                HookContext.of(job, HookContext.Role.SINK, workingDirectory));
        session.exit(HookPoint.PRUNE_POST, status, null).block();
        List<RunReport.HookTime> times = new ArrayList<>();
        for (HookResult h : session.results()) {
            times.add(new RunReport.HookTime(h.point().id(), h.duration(), h.ok()));
        }
        return times;
    }

    private static String describe(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    private BackupJob.Plan plan(JobSpec job, SluiceConfig config, Link pulledOver) {
        String jobName = job.name();
        ErrorPolicy policy = ErrorPolicy.report(p -> log.warn("file.problem", "job", jobName,
                "path", RawPath.escape(p.path()), "kind", p.kind().name().toLowerCase(Locale.ROOT),
                "message", p.message()));
        Path keyFile = env.containsKey("SLUICE_KEY_FILE") ? Path.of(env.get("SLUICE_KEY_FILE")) : null;
        Path passwordFile = env.containsKey("SLUICE_PASSWORD_FILE") ? Path.of(env.get("SLUICE_PASSWORD_FILE")) : null;
        return pulledOver != null
                ? JobPlans.planPulled(job, config, config.global().host(), policy, keyFile, passwordFile, pulledOver)
                : JobPlans.plan(job, config, config.global().host(), true, policy, keyFile, passwordFile);
    }


    /** Hook output and ends as this daemon's log lines. */
    HookLog hookLog() {
        return hookLog(log);
    }

    /** Hook output and ends as daemon log lines. */
    static HookLog hookLog(EventLog log) {
        return new HookLog() {
            @Override
            public void output(HookContext context, HookDefinition hook, Stream stream, String line) {
                log.info("hook.output", "job", context.job(), "hook", hook.displayName(), "stream", stream.id(),
                        "line", line);
            }

            @Override
            public void event(HookContext context, HookDefinition hook, String message) {
                log.warn("hook.event", "job", context.job(), "hook", hook.displayName(), "message", message);
            }

            @Override
            public void finished(HookContext context, HookDefinition hook, HookResult result) {
                log.log(result.ok() ? "info" : "warn", "hook.end", "job", context.job(), "hook", hook.displayName(),
                        "status", result.status().name().toLowerCase(Locale.ROOT), "exit", result.exitCode(),
                        "ms", result.duration().toMillis(), "error", result.error().orElse(null));
            }
        };
    }
}

package dev.sluice.engine.daemon;

import dev.sluice.engine.backup.ErrorPolicy;
import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.PullRepositorySpec;
import dev.sluice.engine.config.ReversePullRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.fs.RawPath;
import dev.sluice.engine.job.BackupJob;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobPlans;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookRunner;
import dev.sluice.transport.Link;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The source side of pull and reverse pull: when a sink sends PULL(job), checks that this sink may pull that job
 * (the job's {@code repository: {pull: {sinks}}} lists the link's identity, or the job's {@code reverse_pull} spec
 * is the one the link was dialed with), then runs the job over that same link exactly as a push (this machine's key,
 * paths and hooks; {@link BackupJob}). Refusals are answered with ERROR JOB_NOT_ALLOWED and nothing is sent.
 */
public final class PulledJobs {
    private final Supplier<SluiceConfig> config;
    private final Workers workers;
    private final Clock clock;
    private final EventLog log;
    private final Map<String, String> env;
    private final Scheduler jobThreads;
    private final Scheduler timer;
    private final BackupJobRunner hooks;

    /**
     * @param config the daemon's current configuration
     * @param env the daemon's environment (SLUICE_KEY_FILE / SLUICE_PASSWORD_FILE when a job names neither)
     * @param jobThreads where the backups run (they block)
     */
    public PulledJobs(Supplier<SluiceConfig> config, Workers workers, Clock clock, EventLog log,
            Map<String, String> env, Scheduler jobThreads, Scheduler timer) {
        this.config = config;
        this.workers = workers;
        this.clock = clock;
        this.log = log;
        this.env = Map.copyOf(env);
        this.jobThreads = jobThreads;
        this.timer = timer;
        this.hooks = new BackupJobRunner(workers, clock, log, env);
    }

    /** A PULL arrived on a link this daemon's listener accepted. */
    public Mono<Void> pulledByListener(String jobName, Link link) {
        SluiceConfig c = config.get();
        Optional<JobSpec> job = c.job(jobName);
        String peer = link.peer().name();
        if (job.isEmpty() || !(job.get().repository() instanceof PullRepositorySpec pull)
                || !pull.sinks().contains(peer)) {
            return PeerDispatcher.refuse(link, ErrorCode.JOB_NOT_ALLOWED, "sink '" + peer + "' may not pull job '"
                    + jobName + "' from this source (its repository: {pull: {sinks: [...]}} must list the sink)",
                    log, timer);
        }
        return run(job.get(), c, link);
    }

    /** A PULL arrived on a link this daemon dialed with {@code dialed} (a reverse pull). */
    public Mono<Void> pulledOverDial(String jobName, Link link, ConnectSpec dialed) {
        SluiceConfig c = config.get();
        Optional<JobSpec> job = c.job(jobName);
        if (job.isEmpty() || !(job.get().repository() instanceof ReversePullRepositorySpec reverse)
                || !reverse.connect().equals(dialed)) {
            return PeerDispatcher.refuse(link, ErrorCode.JOB_NOT_ALLOWED, "job '" + jobName + "' is not a"
                    + " reverse_pull job to " + dialed.describe() + " on this source", log, timer);
        }
        return run(job.get(), c, link);
    }

    private Mono<Void> run(JobSpec job, SluiceConfig c, Link link) {
        return Mono.fromRunnable(() -> runNow(job, c, link)).subscribeOn(jobThreads).then();
    }

    private void runNow(JobSpec job, SluiceConfig c, Link link) {
        String peer = link.peer().name();
        ErrorPolicy policy = ErrorPolicy.report(p -> log.warn("file.problem", "job", job.name(),
                "path", RawPath.escape(p.path()), "kind", p.kind().name().toLowerCase(Locale.ROOT),
                "message", p.message()));
        BackupJob.Plan plan;
        try {
            plan = JobPlans.planPulled(job, c, c.global().host(), policy,
                    env.containsKey("SLUICE_KEY_FILE") ? Path.of(env.get("SLUICE_KEY_FILE")) : null,
                    env.containsKey("SLUICE_PASSWORD_FILE") ? Path.of(env.get("SLUICE_PASSWORD_FILE")) : null, link);
        } catch (IllegalArgumentException e) {
            PeerDispatcher.refuse(link, ErrorCode.REFUSED, e.getMessage(), log, timer).block();
            return;
        }
        log.info("pull.start", "job", job.name(), "peer", peer);
        HookLog hookLog = hooks.hookLog();
        BackupJob.Outcome outcome = new BackupJob(workers, clock, new HookRunner(workers.io(), hookLog), hookLog)
                .run(plan, stats -> { }, new Cancellation());
        if (!link.isClosed()) {
            // the session never opened (a pre hook failed, the key file is missing, ...): tell the sink why
            PeerDispatcher.refuse(link, ErrorCode.REFUSED, "the source could not run job " + job.name() + ": "
                    + (outcome.failure() == null ? "status " + outcome.status() : outcome.failure().getMessage()),
                    log, timer).block();
        }
        log.log(outcome.failure() == null ? "info" : "warn", "pull.end", "job", job.name(), "peer", peer,
                "status", outcome.status(),
                "snapshot", outcome.result() == null ? null : outcome.result().snapshot().hex(),
                "error", outcome.failure() == null ? null : outcome.failure().getMessage());
    }
}

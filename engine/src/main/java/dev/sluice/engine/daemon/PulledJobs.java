package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.PullRepositorySpec;
import dev.sluice.engine.config.ReversePullRepositorySpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.Cancellation;
import dev.sluice.engine.job.JobStatus;
import dev.sluice.engine.job.Workers;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import reactor.core.publisher.Flux;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The source side of pull and reverse pull: when a sink sends PULL(job), checks that this sink may pull that job
 * (the job's {@code repository: {pull: {sinks}}} lists the link's identity, or the job's {@code reverse_pull} spec
 * is the one the link was dialed with), then runs the job over that same link exactly as a push (this machine's key,
 * paths and hooks, through {@link BackupJobRunner}). Refusals are answered with ERROR JOB_NOT_ALLOWED and nothing is
 * sent. A MIRROR_PULL(job) is checked the same way against the mirror job's {@code pulled_by} or {@code reverse_pull}
 * and runs the mirror job over the link ({@link MirrorJobRunner}). In the daemon the run goes through the job's slot (one run at a time, status, metrics, cancel): the link is
 * handed to {@link #runner(JobRunner)} and the slot is woken with trigger {@code pull}.
 */
public final class PulledJobs {
    private final Supplier<SluiceConfig> config;
    private final BackupJobRunner backups;
    private final EventLog log;
    private final Scheduler jobThreads;
    private final Scheduler timer;
    private final BiFunction<String, String, Optional<Mono<Integer>>> wake;
    private final ConcurrentMap<String, Link> handoff = new ConcurrentHashMap<>();

    /**
     * Pulled jobs run directly on {@code jobThreads}, outside any job slot.
     *
     * @param config the current configuration
     * @param env the environment (SLUICE_KEY_FILE / SLUICE_PASSWORD_FILE when a job names neither)
     */
    public PulledJobs(Supplier<SluiceConfig> config, Workers workers, Clock clock, EventLog log,
            Map<String, String> env, Scheduler jobThreads, Scheduler timer) {
        this(config, new BackupJobRunner(workers, clock, log, env), log, jobThreads, timer, null);
    }

    /**
     * Pulled jobs run through the daemon's job slots.
     *
     * @param wake wakes a job's slot ({@code Daemon::run} with a trigger); the run takes the link through
     *     {@link #runner(JobRunner)}
     */
    public PulledJobs(Supplier<SluiceConfig> config, BackupJobRunner backups, EventLog log, Scheduler jobThreads,
            Scheduler timer, BiFunction<String, String, Optional<Mono<Integer>>> wake) {
        this.config = config;
        this.backups = backups;
        this.log = log;
        this.jobThreads = jobThreads;
        this.timer = timer;
        this.wake = wake;
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

    /** A MIRROR_PULL arrived on a link this daemon's listener accepted. */
    public Mono<Void> mirrorPulledByListener(String jobName, Link link) {
        SluiceConfig c = config.get();
        Optional<JobSpec> job = c.job(jobName);
        String peer = link.peer().name();
        if (job.isEmpty() || !(job.get().repository() instanceof MirrorJobSpec m) || !m.pulledBy().contains(peer)) {
            return PeerDispatcher.refuse(link, ErrorCode.JOB_NOT_ALLOWED, "receiver '" + peer + "' may not pull"
                    + " mirror job '" + jobName + "' from this sender (its mirror: {pulled_by: [...]} must list the"
                    + " receiver)", log, timer);
        }
        return run(job.get(), c, link);
    }

    /** A MIRROR_PULL arrived on a link this daemon dialed with {@code dialed} (a reverse pull). */
    public Mono<Void> mirrorPulledOverDial(String jobName, Link link, ConnectSpec dialed) {
        SluiceConfig c = config.get();
        Optional<JobSpec> job = c.job(jobName);
        if (job.isEmpty() || !(job.get().repository() instanceof MirrorJobSpec m)
                || !dialed.equals(m.reversePull())) {
            return PeerDispatcher.refuse(link, ErrorCode.JOB_NOT_ALLOWED, "job '" + jobName + "' is not a mirror"
                    + " job with reverse_pull to " + dialed.describe() + " on this sender", log, timer);
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

    /**
     * The daemon's runner for pulled jobs: a woken pulled job takes the link its PULL came on and runs over it;
     * other jobs go to {@code next}.
     */
    public JobRunner runner(JobRunner next) {
        return (job, c, progress, cancellation) -> {
            if (!isPulled(job)) {
                return next.run(job, c, progress, cancellation);
            }
            Link link = handoff.remove(job.name());
            if (link == null) {
                return new RunReport(JobStatus.USAGE, null, Progress.NONE, "job " + job.name() + " runs when its"
                        + " sink pulls it (" + job.repository().describe() + ")", false, List.of());
            }
            return runOver(job, c, link, progress, cancellation);
        };
    }

    private static boolean isPulled(JobSpec job) {
        return job.repository() instanceof PullRepositorySpec || job.repository() instanceof ReversePullRepositorySpec
                || job.repository() instanceof MirrorJobSpec m && m.pulled();
    }

    private Mono<Void> run(JobSpec job, SluiceConfig c, Link link) {
        if (wake == null) {
            return Mono.fromRunnable(() -> runOver(job, c, link, p -> { }, new Cancellation()))
                    .subscribeOn(jobThreads).then();
        }
        if (handoff.putIfAbsent(job.name(), link) != null) {
            return PeerDispatcher.refuse(link, ErrorCode.REFUSED, "job " + job.name() + " is already being pulled;"
                    + " try again when that run ends", log, timer);
        }
        Optional<Mono<Integer>> woken = wake.apply(job.name(), "pull");
        if (woken.isEmpty()) {
            handoff.remove(job.name(), link);
            return PeerDispatcher.refuse(link, ErrorCode.JOB_NOT_ALLOWED, "job " + job.name() + " is not scheduled"
                    + " by this daemon", log, timer);
        }
        return woken.get().onErrorResume(e -> Mono.just(JobStatus.FAILURE)).flatMap(status -> {
            // the slot was running already and joined that run: this link was not used
            if (handoff.remove(job.name(), link)) {
                return PeerDispatcher.refuse(link, ErrorCode.REFUSED, "job " + job.name() + " was running"
                        + " already; try again when that run ends", log, timer);
            }
            return Mono.empty();
        });
    }

    private RunReport runOver(JobSpec job, SluiceConfig c, Link link,
            java.util.function.Consumer<Supplier<Progress>> progress, Cancellation cancellation) {
        String peer = link.peer().name();
        log.info("pull.start", "job", job.name(), "peer", peer);
        if (job.type() == JobType.MIRROR) {
            // a mirror run closes its link itself when it ends (that close may still be on its way); the receiver
            // learns the outcome from the mirror protocol, so there is no OUTCOME frame
            RunReport report = backups.run(job, c, progress, cancellation, link);
            if (!link.isClosed() && report.error() != null) {
                PeerDispatcher.refuse(link, ErrorCode.REFUSED, "the sender could not run mirror job " + job.name()
                        + ": " + report.error(), log, timer).block();
            }
            log.log(report.error() == null ? "info" : "warn", "pull.end", "job", job.name(), "peer", peer,
                    "status", report.status(), "error", report.error());
            return report;
        }
        HeldLink held = new HeldLink(link);
        RunReport report = backups.run(job, c, progress, cancellation, held);
        if (!held.isClosed()) {
            // the session never opened (a pre hook failed, the key file is missing, ...): tell the sink why
            PeerDispatcher.refuse(link, ErrorCode.REFUSED, "the source could not run job " + job.name() + ": "
                    + (report.error() == null ? "status " + report.status() : report.error()), log, timer).block();
        } else if (!link.isClosed()) {
            tellOutcome(job, link, report, held.reason());
        }
        log.log(report.error() == null ? "info" : "warn", "pull.end", "job", job.name(), "peer", peer,
                "status", report.status(), "snapshot", report.snapshot(), "error", report.error());
        return report;
    }

    /**
     * Sends OUTCOME (the run's final status, after every hook, and its error text) as the session's last frame,
     * then closes the link as the session had asked to.
     */
    private void tellOutcome(JobSpec job, Link link, RunReport report, CloseReason reason) {
        Frame frame = Frame.of(MessageType.OUTCOME.wire(), DirectionCodec.outcome(1,
                new DirectionCodec.Outcome(report.status(), outcomeText(report))));
        try {
            link.send(Flux.fromIterable(List.of(frame))).block(SinkServer.CLOSE_GRACE);
        } catch (RuntimeException e) {
            log.warn("pull.outcome_lost", "job", job.name(), "peer", link.peer().name(), "error",
                    String.valueOf(e.getMessage()));
        } finally {
            link.close(reason);
        }
    }

    /** What the sink is told besides the status: the error, the unreadable files, the failed hooks; or nothing. */
    static String outcomeText(RunReport report) {
        List<String> parts = new java.util.ArrayList<>();
        if (report.error() != null) {
            parts.add(report.error());
        }
        if (report.progress().problems() > 0) {
            parts.add(report.progress().problems() + " files could not be read");
        }
        List<String> failed = report.hooks().stream().filter(h -> !h.ok()).map(RunReport.HookTime::point)
                .distinct().toList();
        if (!failed.isEmpty()) {
            parts.add("failed hooks: " + String.join(", ", failed));
        }
        return String.join("; ", parts);
    }

    /**
     * The pulled session's link as the backup sees it: closing it only records the reason, so that the source can
     * still send its OUTCOME after its post hooks ran; {@link #isClosed()} says whether the session closed it.
     */
    private static final class HeldLink extends ForwardingLink {
        private volatile CloseReason reason;

        HeldLink(Link link) {
            super(link);
        }

        /** The reason the session closed with (normal when it did not). */
        CloseReason reason() {
            CloseReason r = reason;
            return r == null ? CloseReason.normal() : r;
        }

        @Override
        public void close(CloseReason why) {
            if (reason == null) {
                reason = why;
            }
        }

        @Override
        public boolean isClosed() {
            return reason != null || delegate().isClosed();
        }
    }
}

package dev.sluice.engine.job;

import dev.sluice.engine.config.PullSourceSpec;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.protocol.TappedLink;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.hook.HookContext;
import dev.sluice.hook.HookDefinition;
import dev.sluice.hook.HookLog;
import dev.sluice.hook.HookPoint;
import dev.sluice.hook.HookResult;
import dev.sluice.hook.HookRunner;
import dev.sluice.hook.HookSession;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * One run of a pull job at the sink: get a link to the source (dial it, or take the link it parked here for a
 * reverse pull), send PULL(job), and serve the source's push with a {@link SinkServer} on the local repository,
 * exactly as for a push (the source may only add snapshots of that job, filed under the identity this sink's own
 * configuration gives the source). The run succeeds when a new snapshot of the job from that identity arrived.
 */
public final class PullJob {

    /**
     * What a pull run needs.
     *
     * @param job the pull job's own name (for messages)
     * @param source the source's job and how to reach it
     * @param repository the sink's local repository
     * @param rateLimit the snapshot rate limit applied to the source
     * @param hooks the pull job's own hooks, at the points that run on a sink ({@code job.start},
     *     {@code prune.post}, {@code job.end}); the source's job has its own
     * @param workingDirectory where the hooks run (the configuration file's directory)
     */
    public record Plan(String job, PullSourceSpec source, Path repository, SnapshotRateLimit rateLimit,
            List<HookDefinition> hooks, Path workingDirectory) {
        public Plan {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(rateLimit, "rateLimit");
            hooks = List.copyOf(hooks);
            if (!hooks.isEmpty()) {
                Objects.requireNonNull(workingDirectory, "workingDirectory");
            }
        }

        /** A plan without hooks. */
        public Plan(String job, PullSourceSpec source, Path repository, SnapshotRateLimit rateLimit) {
            this(job, source, repository, rateLimit, List.of(), null);
        }
    }

    /**
     * What runs after a snapshot arrived and before {@code prune.post}: the job's retention at the sink. Returns
     * the prune's status for {@code prune.post}, or empty when no retention ran (then no {@code prune.post}).
     */
    @FunctionalInterface
    public interface Retention {
        /** No retention. */
        Retention NONE = (snapshot, peer) -> OptionalInt.empty();

        OptionalInt apply(SnapshotRecord arrived, String peer);
    }

    /**
     * How a pull run ended.
     *
     * @param status a {@link JobStatus}
     * @param snapshot the snapshot that arrived, or null
     * @param peer the identity the snapshot was filed under, or null when no link was made
     * @param failure what went wrong, or null (with status 3 and a snapshot: the source's own problem text)
     * @param hooks the pull job's hook runs at the sink, in order
     */
    public record Outcome(int status, SnapshotRecord snapshot, String peer, Exception failure,
            List<HookResult> hooks) {
        public Outcome {
            hooks = List.copyOf(hooks);
        }
    }

    private final Clock clock;
    private final Scheduler io;
    private final ParkedLinks parked;
    private final HookRunner hookRunner;
    private final HookLog hookLog;

    /**
     * A pull job runner without hooks (a plan with hooks is refused).
     *
     * @param io where the sink's repository work runs and timers fire
     * @param parked the links sources parked here, or null when this process has no listener (then a reverse
     *     pull cannot run)
     */
    public PullJob(Clock clock, Scheduler io, ParkedLinks parked) {
        this(clock, io, parked, null, null);
    }

    /** A pull job runner that runs the plans' hooks with {@code hookRunner}, reporting to {@code hookLog}. */
    public PullJob(Clock clock, Scheduler io, ParkedLinks parked, HookRunner hookRunner, HookLog hookLog) {
        this.clock = clock;
        this.io = io;
        this.parked = parked;
        this.hookRunner = hookRunner;
        this.hookLog = hookLog;
    }

    /** Runs the pull once; never throws for a failure of the run itself, which is in the outcome. */
    public Outcome run(Plan plan, Cancellation cancellation) {
        return run(plan, null, cancellation, Retention.NONE);
    }

    /**
     * Runs the pull once over {@code given} (a link to the source opened by other means, e.g. in-process), or, when
     * null, over a link the plan's source spec opens; never throws for a failure of the run itself.
     */
    public Outcome run(Plan plan, Link given, Cancellation cancellation) {
        return run(plan, given, cancellation, Retention.NONE);
    }

    /**
     * Runs the pull once with the plan's hooks: {@code job.start} (a failure means nothing is pulled), the pull,
     * {@code retention} and {@code prune.post} after a snapshot arrived, and {@code job.end} always, last, with the
     * final status (a failing one turns success into failure). Never throws for a failure of the run itself.
     */
    public Outcome run(Plan plan, Link given, Cancellation cancellation, Retention retention) {
        HookSession hooks = null;
        if (!plan.hooks().isEmpty()) {
            if (hookRunner == null) {
                return new Outcome(JobStatus.USAGE, null, null, new IllegalStateException("pull job " + plan.job()
                        + " has hooks, but this runner cannot run hooks"), List.of());
            }
            hooks = new HookSession(hookRunner, hookLog, plan.hooks(), HookContext.of(plan.job(),
                    HookContext.Role.SINK, plan.workingDirectory()).withExtraEnv(Map.of("SLUICE_PEER",
                    plan.source().peer(), "SLUICE_SOURCE_JOB", plan.source().job())));
            HookSession.Outcome start = hooks.enter(HookPoint.JOB_START).block();
            if (start == null || !start.proceed()) {
                int status = JobStatus.FAILURE;
                hooks.finish(status).block();
                return new Outcome(status, null, null, new IllegalStateException("a job.start hook failed; nothing"
                        + " was pulled: " + (start == null ? "?" : start.failure().orElse("?"))), hooks.results());
            }
        }
        Outcome pulled = pull(plan, given, cancellation);
        int status = pulled.status();
        Exception failure = pulled.failure();
        if (pulled.snapshot() != null) {
            OptionalInt pruned = retention.apply(pulled.snapshot(), pulled.peer());
            if (pruned.isPresent() && hooks != null) {
                HookSession.Outcome post = hooks.exit(HookPoint.PRUNE_POST, pruned.getAsInt(), null).block();
                if (post != null && post.failed()) {
                    status = Math.max(status, JobStatus.FAILURE);
                    failure = failure != null ? failure : new IllegalStateException("a prune.post hook failed: "
                            + post.failure().orElse("?"));
                }
            }
        }
        if (hooks == null) {
            return new Outcome(status, pulled.snapshot(), pulled.peer(), failure, List.of());
        }
        useSnapshot(hooks, pulled.snapshot());
        HookSession.Outcome end = hooks.finish(status).block();
        if (end != null && end.failed() && status == JobStatus.OK) {
            status = JobStatus.FAILURE;
            failure = new IllegalStateException("the job.end hook failed: " + end.failure().orElse("?"));
        }
        return new Outcome(status, pulled.snapshot(), pulled.peer(), failure, hooks.results());
    }

    private static void useSnapshot(HookSession hooks, SnapshotRecord snapshot) {
        if (snapshot != null) {
            hooks.useSnapshot(snapshot.id().hex());
        }
    }

    /** The pull itself: a link, PULL, the source's session, and the source's OUTCOME. */
    private Outcome pull(Plan plan, Link given, Cancellation cancellation) {
        Link link = given;
        String peer = null;
        try {
            Mono<PeekedLink.First> answer = null;
            if (link == null && plan.source().connect() != null) {
                link = Connector.of(plan.source().connect()).connect();
            } else if (link == null) {
                ParkedLinks.Taken taken = take(plan, cancellation);
                link = taken.link();
                answer = taken.answer();
            }
            peer = link.peer().name();
            Link open = link;
            cancellation.onCancel(() -> open.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR,
                    "pull job " + plan.job() + " was cancelled at the sink")));
            Set<SnapshotId> before = snapshotIds(plan.repository(), plan.source().job(), peer);
            if (answer == null) {
                answer = PeekedLink.read(link);
            }
            link.send(Flux.fromIterable(List.of(Frame.of(MessageType.PULL.wire(),
                    DirectionCodec.pull(1, plan.source().job()))))).block(Connector.CONNECT_TIMEOUT);
            // The source runs its pre hooks before it opens the session, so its first answer may take long.
            PeekedLink.First first = answer.block();
            if (first == null) {
                throw new IOException("source " + peer + " closed the link without answering PULL("
                        + plan.source().job() + ")");
            }
            AtomicReference<Object> told = new AtomicReference<>();
            // The source's OUTCOME ends the session; a PONG that crossed the PULL is dropped.
            Link session = new TappedLink(answer(first, peer, plan),
                    type -> type == MessageType.OUTCOME.wire() || type == MessageType.PONG.wire(),
                    f -> told.compareAndSet(null, outcomeOf(f)));
            SinkPolicy policy = new SinkPolicy(Map.of(new PeerIdentity(peer), Set.of(plan.source().job())),
                    plan.rateLimit());
            CloseReason end = new SinkServer(plan.repository(), policy, clock, io).serve(session).block();
            SnapshotRecord arrived = newest(plan.repository(), plan.source().job(), peer, before);
            return judge(plan, peer, arrived, told.get(), end, cancellation);
        } catch (Exception e) {
            if (link != null && !link.isClosed()) {
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, e.getMessage() == null
                        ? e.toString() : e.getMessage()));
            }
            return new Outcome(JobStatus.of(e) == JobStatus.OK ? JobStatus.FAILURE : JobStatus.of(e), null, peer, e,
                    List.of());
        } finally {
            cancellation.onCancel(() -> {});
        }
    }

    /** Decodes an OUTCOME frame, or says why it could not be (the frame is released by the tap). */
    private static Object outcomeOf(Frame f) {
        if (f.type() != MessageType.OUTCOME.wire()) {
            return null;
        }
        byte[] bytes = new byte[f.payload().readableBytes()];
        f.payload().getBytes(f.payload().readerIndex(), bytes);
        try {
            return DirectionCodec.decodeOutcome(bytes);
        } catch (ProtocolException e) {
            return e;
        }
    }

    /**
     * The run's result from what arrived and what the source said: a snapshot with the source's status 0 is 0, with
     * 3 (some files could not be read) is 3, with another status (a source post hook failed) is that status; no
     * snapshot is a failure, with the source's failure text when it sent one.
     */
    private static Outcome judge(Plan plan, String peer, SnapshotRecord arrived, Object told, CloseReason end,
            Cancellation cancellation) throws IOException {
        if (told instanceof ProtocolException bad) {
            throw new IOException("source " + peer + " sent a malformed OUTCOME: " + bad.getMessage(), bad);
        }
        DirectionCodec.Outcome said = (DirectionCodec.Outcome) told;
        String sourceSays = said == null || said.message().isEmpty() ? null
                : "source " + peer + " reports status " + said.status() + ": " + said.message();
        if (arrived == null) {
            String why = sourceSays != null ? sourceSays : end == null ? "the session ended" : end.toString();
            throw new IOException("no snapshot of job " + plan.source().job() + " arrived from source " + peer
                    + cancellation.note() + ": " + why);
        }
        if (said == null || said.status() == JobStatus.OK) {
            return new Outcome(JobStatus.OK, arrived, peer, null, List.of());
        }
        String text = sourceSays != null ? sourceSays : "source " + peer + " reports status " + said.status();
        return new Outcome(said.status(), arrived, peer, new IOException(text), List.of());
    }

    private ParkedLinks.Taken take(Plan plan, Cancellation cancellation) throws IOException {
        PullSourceSpec source = plan.source();
        if (parked == null) {
            throw new IOException("pull job " + plan.job() + " waits for source '" + source.reverse() + "' to dial"
                    + " in (reverse pull); only the daemon, with its listener, can run it");
        }
        return parked.await(new PeerIdentity(source.reverse()), source.reverseWait(), io, cancellation,
                "pull job " + plan.job(), "source");
    }

    /** The source's first answer: OPEN starts the session (given back to the server), ERROR is its refusal. */
    private static Link answer(PeekedLink.First first, String peer, Plan plan) throws IOException {
        Frame f = first.frame();
        if (f.type() == MessageType.OPEN.wire()) {
            return first.link().replaying(f);
        }
        try {
            if (f.type() == MessageType.ERROR.wire()) {
                byte[] bytes = new byte[f.payload().readableBytes()];
                f.payload().readBytes(bytes);
                ErrorCodec.Error error;
                try {
                    error = ErrorCodec.decode(bytes);
                } catch (ProtocolException e) {
                    throw new IOException("source " + peer + " answered PULL with a malformed ERROR: "
                            + e.getMessage(), e);
                }
                throw new IOException("source " + peer + " refused to run job " + plan.source().job() + ": "
                        + error.code() + ": " + error.message());
            }
            throw new IOException("source " + peer + " answered PULL with frame type " + f.type()
                    + " instead of OPEN");
        } finally {
            f.release();
        }
    }

    private static Set<SnapshotId> snapshotIds(Path repository, String job, String host) throws IOException {
        Set<SnapshotId> ids = new HashSet<>();
        try (Repository repo = Repository.open(repository)) {
            for (SnapshotRecord s : repo.snapshots()) {
                if (s.job().equals(job) && s.host().equals(host)) {
                    ids.add(s.id());
                }
            }
        }
        return ids;
    }

    private static SnapshotRecord newest(Path repository, String job, String host, Set<SnapshotId> before)
            throws IOException {
        SnapshotRecord best = null;
        try (Repository repo = Repository.open(repository)) {
            for (SnapshotRecord s : repo.snapshots()) {
                if (s.job().equals(job) && s.host().equals(host) && !before.contains(s.id())
                        && (best == null || s.time().isAfter(best.time()))) {
                    best = s;
                }
            }
        }
        return best;
    }

    /** How long a reverse pull waits for the source when the configuration does not say. */
    public static final Duration DEFAULT_WAIT = PullSourceSpec.DEFAULT_WAIT;
}

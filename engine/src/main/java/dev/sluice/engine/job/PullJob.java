package dev.sluice.engine.job;

import dev.sluice.engine.config.PullSourceSpec;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.protocol.SinkPolicy;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.engine.repository.Repository;
import dev.sluice.engine.repository.SnapshotId;
import dev.sluice.engine.repository.SnapshotRecord;
import dev.sluice.engine.retention.SnapshotRateLimit;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import reactor.core.publisher.Flux;
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
     */
    public record Plan(String job, PullSourceSpec source, Path repository, SnapshotRateLimit rateLimit) {
        public Plan {
            Objects.requireNonNull(job, "job");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(rateLimit, "rateLimit");
        }
    }

    /**
     * How a pull run ended.
     *
     * @param status a {@link JobStatus}
     * @param snapshot the snapshot that arrived, or null
     * @param peer the identity the snapshot was filed under, or null when no link was made
     * @param failure what went wrong, or null
     */
    public record Outcome(int status, SnapshotRecord snapshot, String peer, Exception failure) {
    }

    private final Clock clock;
    private final Scheduler io;
    private final ParkedLinks parked;

    /**
     * @param io where the sink's repository work runs and timers fire
     * @param parked the links sources parked here, or null when this process has no listener (then a reverse
     *     pull cannot run)
     */
    public PullJob(Clock clock, Scheduler io, ParkedLinks parked) {
        this.clock = clock;
        this.io = io;
        this.parked = parked;
    }

    /** Runs the pull once; never throws for a failure of the run itself, which is in the outcome. */
    public Outcome run(Plan plan, Cancellation cancellation) {
        return run(plan, null, cancellation);
    }

    /**
     * Runs the pull once over {@code given} (a link to the source opened by other means, e.g. in-process), or, when
     * null, over a link the plan's source spec opens; never throws for a failure of the run itself.
     */
    public Outcome run(Plan plan, Link given, Cancellation cancellation) {
        Link link = given;
        String peer = null;
        try {
            if (link == null) {
                link = open(plan, cancellation);
            }
            peer = link.peer().name();
            Link open = link;
            cancellation.onCancel(() -> open.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR,
                    "pull job " + plan.job() + " was cancelled at the sink")));
            Set<SnapshotId> before = snapshotIds(plan.repository(), plan.source().job(), peer);
            link.send(Flux.fromIterable(List.of(Frame.of(MessageType.PULL.wire(),
                    DirectionCodec.pull(1, plan.source().job()))))).block(Connector.CONNECT_TIMEOUT);
            // The source runs its pre hooks before it opens the session, so its first answer may take long.
            PeekedLink.First first = PeekedLink.read(link).block();
            if (first == null) {
                throw new IOException("source " + peer + " closed the link without answering PULL("
                        + plan.source().job() + ")");
            }
            Link session = answer(first, peer, plan);
            SinkPolicy policy = new SinkPolicy(Map.of(new PeerIdentity(peer), Set.of(plan.source().job())),
                    plan.rateLimit());
            CloseReason end = new SinkServer(plan.repository(), policy, clock, io).serve(session).block();
            SnapshotRecord arrived = newest(plan.repository(), plan.source().job(), peer, before);
            if (arrived == null) {
                String why = end == null ? "the session ended" : end.toString();
                throw new IOException("no snapshot of job " + plan.source().job() + " arrived from source " + peer
                        + (cancellation.cancelled() ? " (cancelled)" : "") + ": " + why);
            }
            return new Outcome(JobStatus.OK, arrived, peer, null);
        } catch (Exception e) {
            if (link != null && !link.isClosed()) {
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, e.getMessage() == null
                        ? e.toString() : e.getMessage()));
            }
            return new Outcome(JobStatus.of(e) == JobStatus.OK ? JobStatus.FAILURE : JobStatus.of(e), null, peer, e);
        } finally {
            cancellation.onCancel(() -> {});
        }
    }

    private Link open(Plan plan, Cancellation cancellation) throws IOException {
        PullSourceSpec source = plan.source();
        if (source.connect() != null) {
            return Connector.of(source.connect()).connect();
        }
        if (parked == null) {
            throw new IOException("pull job " + plan.job() + " waits for source '" + source.reverse() + "' to dial"
                    + " in (reverse pull); only the daemon, with its listener, can run it");
        }
        java.util.concurrent.CompletableFuture<Link> taking = parked.take(new PeerIdentity(source.reverse()),
                source.reverseWait(), io).toFuture();
        cancellation.onCancel(() -> taking.cancel(true));
        try {
            return taking.get();
        } catch (java.util.concurrent.CancellationException e) {
            throw new IOException("pull job " + plan.job() + " was cancelled while waiting for source '"
                    + source.reverse() + "'", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException ioe ? ioe : new IOException(String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for source '" + source.reverse() + "'", e);
        } finally {
            cancellation.onCancel(() -> {});
        }
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

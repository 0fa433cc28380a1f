package dev.sluice.engine.daemon;

import dev.sluice.engine.config.JobSpec;
import dev.sluice.engine.config.JobType;
import dev.sluice.engine.config.MirrorJobSpec;
import dev.sluice.engine.config.SluiceConfig;
import dev.sluice.engine.job.ParkedLinks;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.mirror.MirrorReceiver;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.protocol.SinkServer;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkClosedException;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * What a daemon does with a link one of its listeners accepted, decided by the link's first frame: OPEN is a push
 * and OPEN_READ a read session (both served by the sink's {@link SinkServer}), a mirror OPEN a mirror run
 * ({@link MirrorReceiver}), PULL is a sink asking this source for a job ({@link PulledJobs}), READY
 * is a source parking its link for a reverse pull ({@link ParkedLinks}). Anything else, or a direction this daemon
 * is not configured for, is answered with ERROR and closed, and the reason is logged; other links are unaffected.
 */
public final class PeerDispatcher {
    /** How long an accepted link may stay silent before its first frame. */
    public static final Duration FIRST_FRAME_TIMEOUT = Duration.ofMinutes(1);

    private final Supplier<SinkServer> sink;
    private final Supplier<PulledJobs> pulled;
    private final ParkedLinks parked;
    private final Supplier<SluiceConfig> config;
    private final EventLog log;
    private final Scheduler timer;
    private final Supplier<MirrorReceiver> mirror;

    /**
     * @param sink serves pushes, or null when this daemon is no sink
     * @param pulled runs jobs sinks pull, or null when this daemon has none
     * @param parked where READY links wait for this daemon's reverse pull jobs
     * @param config the daemon's current configuration (which identities may park a link)
     */
    public PeerDispatcher(SinkServer sink, PulledJobs pulled, ParkedLinks parked, Supplier<SluiceConfig> config,
            EventLog log, Scheduler timer) {
        this(sink, pulled, parked, config, log, timer, null);
    }

    /** As above, and mirror runs (a mirror OPEN first) go to {@code mirror}, or are refused when it is null. */
    public PeerDispatcher(SinkServer sink, PulledJobs pulled, ParkedLinks parked, Supplier<SluiceConfig> config,
            EventLog log, Scheduler timer, MirrorReceiver mirror) {
        this(() -> sink, () -> pulled, parked, config, log, timer, () -> mirror);
    }

    private PeerDispatcher(Supplier<SinkServer> sink, Supplier<PulledJobs> pulled, ParkedLinks parked,
            Supplier<SluiceConfig> config, EventLog log, Scheduler timer, Supplier<MirrorReceiver> mirror) {
        this.mirror = mirror;
        this.sink = sink;
        this.pulled = pulled;
        this.parked = parked;
        this.config = config;
        this.log = log;
        this.timer = timer;
    }

    /**
     * A dispatcher that asks {@code sink}, {@code pulled} and {@code mirror} for the current server at each link (a
     * reload may replace them; each may answer null for "not served here").
     */
    static PeerDispatcher live(Supplier<SinkServer> sink, Supplier<PulledJobs> pulled, ParkedLinks parked,
            Supplier<SluiceConfig> config, EventLog log, Scheduler timer, Supplier<MirrorReceiver> mirror) {
        return new PeerDispatcher(sink, pulled, parked, config, log, timer, mirror);
    }

    /** Serves one accepted link; completes when this side is done with it. */
    public Mono<Void> serve(Link link) {
        return PeekedLink.read(link)
                .timeout(FIRST_FRAME_TIMEOUT, timer)
                .flatMap(first -> dispatch(first.frame(), first.link()))
                .onErrorResume(e -> {
                    String why = e instanceof java.util.concurrent.TimeoutException
                            ? "no first frame within " + FIRST_FRAME_TIMEOUT.toSeconds() + " s"
                            : e instanceof LinkClosedException closed ? closed.reason().toString() : e.toString();
                    log.warn("peer.closed", "peer", link.peer().name(), "reason", why);
                    if (!link.isClosed()) {
                        link.close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, why));
                    }
                    return Mono.empty();
                });
    }

    private Mono<Void> dispatch(Frame first, PeekedLink link) {
        int type = first.type();
        String peer = link.peer().name();
        if (MirrorReceiver.isMirrorOpen(first)) {
            MirrorReceiver mirror = this.mirror.get();
            if (mirror == null) {
                first.release();
                String why = "this daemon receives no mirror runs (global.mirror is not set)";
                log.warn("peer.refused", "peer", peer, "reason", why);
                link.close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, why));
                return Mono.empty();
            }
            log.debug("peer.mirror", "peer", peer);
            return mirror.serve(link.replaying(first)).then();
        }
        if (type == MessageType.OPEN.wire() || type == MessageType.OPEN_READ.wire()) {
            boolean push = type == MessageType.OPEN.wire();
            SinkServer sink = this.sink.get();
            if (sink == null) {
                first.release();
                return refuse(link, ErrorCode.REFUSED, "this daemon keeps no sink repository (global.sink is not"
                        + " set); it does not take " + (push ? "pushes" : "read sessions"));
            }
            log.debug(push ? "peer.push" : "peer.read", "peer", peer);
            return sink.serve(link.replaying(first)).then();
        }
        byte[] payload = new byte[first.payload().readableBytes()];
        first.payload().readBytes(payload);
        first.release();
        PulledJobs pulled = this.pulled.get();
        try {
            if (type == MessageType.PULL.wire()) {
                String job = DirectionCodec.decodePull(payload);
                if (pulled == null) {
                    return refuse(link, ErrorCode.REFUSED, "this daemon runs no job that a sink may pull (no job has"
                            + " repository: {pull: ...}); '" + peer + "' asked for job '" + job + "'");
                }
                return pulled.pulledByListener(job, link);
            }
            if (type == MessageType.MIRROR_PULL.wire()) {
                String job = DirectionCodec.decodeMirrorPull(payload);
                if (pulled == null) {
                    return refuse(link, ErrorCode.REFUSED, "this daemon runs no job that a receiver may pull (no job"
                            + " has mirror: {pulled_by: ...}); '" + peer + "' asked for mirror job '" + job + "'");
                }
                return pulled.mirrorPulledByListener(job, link);
            }
            if (type == MessageType.READY.wire()) {
                DirectionCodec.decodeReady(payload);
                if (!waitedFor(peer)) {
                    return refuse(link, ErrorCode.REFUSED, "no pull job on this daemon waits for source '" + peer
                            + "' (source: {reverse: " + peer + "}); its reverse-pull link is closed");
                }
                log.info("peer.parked", "peer", peer);
                return parked.park(link).doOnNext(r -> log.debug("peer.unparked", "peer", peer, "reason", r))
                        .then();
            }
        } catch (ProtocolException e) {
            return refuse(link, e.code(), e.getMessage());
        }
        return refuse(link, ErrorCode.UNKNOWN_MESSAGE, "frame type " + type + " cannot start a session; expected"
                + " OPEN (push), OPEN_READ (restore, check), PULL (pull), MIRROR_PULL (mirror pull) or READY (reverse"
                + " pull)");
    }

    private boolean waitedFor(String peer) {
        for (JobSpec job : config.get().jobs()) {
            if (job.type() == JobType.PULL && peer.equals(job.source().reverse())) {
                return true;
            }
            if (job.repository() instanceof MirrorJobSpec m && m.pull() != null && peer.equals(m.pull().reverse())) {
                return true;
            }
        }
        return false;
    }

    /** Answers ERROR, logs why, and closes the link once the peer has read it (or after a short grace). */
    Mono<Void> refuse(Link link, ErrorCode code, String message) {
        return refuse(link, code, message, log, timer);
    }

    static Mono<Void> refuse(Link link, ErrorCode code, String message, EventLog log, Scheduler timer) {
        log.warn("peer.refused", "peer", link.peer().name(), "code", code.name(), "reason", message);
        Frame error = Frame.of(MessageType.ERROR.wire(), ErrorCodec.encode(0, code, message));
        CloseReason reason = CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, message);
        return link.send(Flux.fromIterable(List.of(error)))
                .onErrorResume(e -> Mono.empty())
                .then(link.onClose().timeout(SinkServer.CLOSE_GRACE, Mono.fromRunnable(() -> link.close(reason)), timer))
                .then();
    }
}

package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.engine.protocol.TappedLink;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The source side of a reverse pull, as a daemon service: keeps one link dialed to a sink (one service per distinct
 * {@code reverse_pull} connect spec), announces it with READY and waits, answering the sink's keep-alive PINGs; when
 * the sink sends PULL(job), the job runs over it ({@link PulledJobs#pulledOverDial}). A parked link from which no
 * PING came for the keep-alive's silence limit is presumed dead (a NAT or firewall dropped it) and closed. After
 * each session or failure it dials again, after a pause that doubles from {@link #FIRST_BACKOFF} to
 * {@link #MAX_BACKOFF} while dialing keeps failing. Only the dial itself takes a thread (of the {@code dial}
 * scheduler, for at most the connect timeout); waiting while parked takes none.
 */
public final class ReversePullService implements Service {
    /** The pause after the first failed dial. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
    /** The longest pause between dials. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(1);

    private final ConnectSpec spec;
    private final Connector connector;
    private final PulledJobs pulled;
    private final EventLog log;
    private final Scheduler dial;
    private final Scheduler timer;
    private final Keepalive keepalive;
    private final AtomicInteger dials = new AtomicInteger();
    private volatile boolean stopped;
    private volatile Link current;
    /** True while a PULL that came over the parked link is being served (a retirement lets it finish). */
    private volatile boolean serving;
    private volatile Duration backoff = FIRST_BACKOFF;
    private Disposable running;

    /** @param loop where dials run and timers fire */
    public ReversePullService(ConnectSpec spec, PulledJobs pulled, EventLog log, Scheduler loop) {
        this(spec, Connector.of(spec), pulled, log, loop, loop, Keepalive.DEFAULT);
    }

    /** A service that opens its links with {@code connector} (in-process links in tests) and checks jobs against {@code spec}. */
    public ReversePullService(ConnectSpec spec, Connector connector, PulledJobs pulled, EventLog log, Scheduler loop) {
        this(spec, connector, pulled, log, loop, loop, Keepalive.DEFAULT);
    }

    /**
     * @param dial where the blocking dial runs (a small bounded scheduler of its own, not the job threads)
     * @param timer where the pauses between dials and the keep-alive's silence checks run (virtual time in tests)
     * @param keepalive how long a parked link may stay without a PING before it is closed and dialed again
     */
    public ReversePullService(ConnectSpec spec, Connector connector, PulledJobs pulled, EventLog log, Scheduler dial,
            Scheduler timer, Keepalive keepalive) {
        this.spec = spec;
        this.connector = connector;
        this.pulled = pulled;
        this.log = log;
        this.dial = dial;
        this.timer = timer;
        this.keepalive = keepalive;
    }

    @Override
    public String name() {
        return "reverse pull to " + spec.describe();
    }

    /** How many times this service has dialed so far (for tests and status). */
    public int dials() {
        return dials.get();
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            stopped = false;
            running = Mono.defer(this::cycle).repeat(() -> !stopped).subscribe(null,
                    e -> log.error("reverse.stopped", "peer", spec.peer(), "to", spec.describe(), "error",
                            String.valueOf(e)));
        }
    }

    @Override
    public synchronized void stop() {
        halt("the source daemon is stopping");
    }

    /**
     * Stops dialing because the configuration no longer asks for it (a reload): a parked link is closed at once,
     * but a PULL being served runs to its end first.
     */
    public synchronized void retire() {
        if (serving) {
            stopped = true; // the session's end ends the dial loop (it repeats only while not stopped)
            return;
        }
        halt("the source's configuration no longer dials " + spec.describe());
    }

    /** No more dials; the current link, if any, is closed with {@code why}. */
    private void halt(String why) {
        stopped = true;
        Link l = current;
        if (l != null) {
            l.close(CloseReason.of(CloseReason.Code.NORMAL, why));
        }
        if (running != null) {
            running.dispose();
            running = null;
        }
    }

    /** One dial, park and session; then the pause before the next dial when nothing was served. */
    private Mono<Void> cycle() {
        if (stopped) {
            return Mono.empty();
        }
        return Mono.fromCallable(() -> {
                    dials.incrementAndGet();
                    return connector.connect();
                })
                .subscribeOn(dial)
                .flatMap(this::session)
                .onErrorResume(e -> {
                    if (!stopped) {
                        log.warn("reverse.failed", "peer", spec.peer(), "to", spec.describe(), "error",
                                String.valueOf(e.getMessage()), "retry_in", backoff.toMillis() + "ms");
                    }
                    return Mono.just(false);
                })
                .flatMap(served -> {
                    if (served || stopped) {
                        backoff = FIRST_BACKOFF;
                        return Mono.empty();
                    }
                    Duration pause = backoff;
                    backoff = pause.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause.multipliedBy(2);
                    return Mono.delay(pause, timer).then();
                });
    }

    /** Parks {@code link} at the sink and serves one PULL; true when a PULL was served (refused or run). */
    private Mono<Boolean> session(Link link) {
        current = link;
        if (stopped) {
            link.close(CloseReason.of(CloseReason.Code.NORMAL, "the source daemon is stopping"));
            return Mono.just(false);
        }
        Keepalive.Watch watch = keepalive.watch(link, timer, "PING");
        return link.send(Flux.fromIterable(List.of(Frame.of(MessageType.READY.wire(), DirectionCodec.ready(1)))))
                .then(Mono.fromRunnable(() -> log.info("reverse.parked", "peer", link.peer().name(), "to",
                        spec.describe())))
                .then(PeekedLink.read(link, f -> answered(link, watch, f)))
                .doOnNext(first -> watch.dispose())
                .flatMap(this::handle)
                .switchIfEmpty(Mono.defer(() -> link.onClose()
                        .timeout(Duration.ofSeconds(5), Mono.just(CloseReason.normal()), timer)
                        .doOnNext(r -> log.info("reverse.closed", "peer", link.peer().name(), "reason", r))
                        .thenReturn(false)))
                .doFinally(s -> {
                    watch.dispose();
                    current = null;
                    if (!link.isClosed()) {
                        link.close(CloseReason.normal());
                    }
                });
    }

    /** A PING while parked: noted and answered with PONG. */
    private static boolean answered(Link link, Keepalive.Watch watch, Frame f) {
        if (f.type() != MessageType.PING.wire()) {
            return false;
        }
        try {
            Keepalive.pong(link, f);
        } catch (ProtocolException e) {
            // a malformed PING is handed on as the first frame, which refuses it as not PULL
            return false;
        }
        watch.heard();
        return true;
    }

    private Mono<Boolean> handle(PeekedLink.First first) {
        Frame f = first.frame();
        byte[] payload = new byte[f.payload().readableBytes()];
        f.payload().readBytes(payload);
        int type = f.type();
        f.release();
        Link link = first.link();
        if (type == MessageType.ERROR.wire()) {
            // the sink refused the parked link (no pull job waits for this source there)
            String why;
            try {
                why = ErrorCodec.decode(payload).message();
            } catch (ProtocolException e) {
                why = e.getMessage();
            }
            log.warn("reverse.refused", "peer", link.peer().name(), "to", spec.describe(), "reason", why);
            return Mono.just(false);
        }
        boolean mirror = type == MessageType.MIRROR_PULL.wire();
        if (type != MessageType.PULL.wire() && !mirror) {
            return PeerDispatcher.refuse(link, ErrorCode.UNKNOWN_MESSAGE, "frame type " + type + " on a parked"
                    + " reverse-pull link; expected PULL or MIRROR_PULL", log, timer).thenReturn(false);
        }
        String job;
        try {
            job = mirror ? DirectionCodec.decodeMirrorPull(payload) : DirectionCodec.decodePull(payload);
        } catch (ProtocolException e) {
            return PeerDispatcher.refuse(link, e.code(), e.getMessage(), log, timer).thenReturn(false);
        }
        synchronized (this) {
            if (stopped) {
                return PeerDispatcher.refuse(link, ErrorCode.REFUSED, "the source no longer serves pulls over this"
                        + " link (its daemon is stopping or no longer dials here)", log, timer).thenReturn(false);
            }
            serving = true;
        }
        // a PING the sink sent just before its PULL may still arrive: it is dropped, not answered
        Link session = new TappedLink(link, t -> t == MessageType.PING.wire(), ping -> { });
        return (mirror ? pulled.mirrorPulledOverDial(job, session, spec) : pulled.pulledOverDial(job, session, spec))
                .doFinally(s -> serving = false)
                .thenReturn(true);
    }
}

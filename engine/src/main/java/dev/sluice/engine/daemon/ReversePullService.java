package dev.sluice.engine.daemon;

import dev.sluice.engine.config.ConnectSpec;
import dev.sluice.engine.job.Connector;
import dev.sluice.engine.protocol.DirectionCodec;
import dev.sluice.engine.protocol.ErrorCode;
import dev.sluice.engine.protocol.ErrorCodec;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.engine.protocol.ProtocolException;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import java.time.Duration;
import java.util.List;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;

/**
 * The source side of a reverse pull, as a daemon service: keeps one link dialed to a sink (one service per distinct
 * {@code reverse_pull} connect spec), announces it with READY and waits; when the sink sends PULL(job), the job runs
 * over it ({@link PulledJobs#pulledOverDial}). After each session or failure it dials again, after a pause that
 * doubles from {@link #FIRST_BACKOFF} to {@link #MAX_BACKOFF} while dialing keeps failing.
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
    private final Scheduler loop;
    private volatile boolean stopped;
    private volatile Link current;
    private Disposable running;

    /** @param loop runs the dial loop (it blocks one of its threads while the service runs) */
    public ReversePullService(ConnectSpec spec, PulledJobs pulled, EventLog log, Scheduler loop) {
        this(spec, Connector.of(spec), pulled, log, loop);
    }

    /** A service that opens its links with {@code connector} (in-process links in tests) and checks jobs against {@code spec}. */
    public ReversePullService(ConnectSpec spec, Connector connector, PulledJobs pulled, EventLog log, Scheduler loop) {
        this.spec = spec;
        this.connector = connector;
        this.pulled = pulled;
        this.log = log;
        this.loop = loop;
    }

    @Override
    public String name() {
        return "reverse pull to " + spec.describe();
    }

    @Override
    public synchronized void start() {
        if (running == null) {
            stopped = false;
            running = loop.schedule(this::dialLoop);
        }
    }

    @Override
    public synchronized void stop() {
        stopped = true;
        Link l = current;
        if (l != null) {
            l.close(CloseReason.of(CloseReason.Code.NORMAL, "the source daemon is stopping"));
        }
        if (running != null) {
            running.dispose();
            running = null;
        }
    }

    private void dialLoop() {
        Duration backoff = FIRST_BACKOFF;
        while (!stopped) {
            boolean served = false;
            try {
                served = oneSession();
            } catch (Exception e) {
                if (stopped) {
                    return;
                }
                log.warn("reverse.failed", "peer", spec.peer(), "to", spec.describe(), "error", e.getMessage(),
                        "retry_in", backoff.toMillis() + "ms");
            }
            if (served) {
                backoff = FIRST_BACKOFF;
                continue;
            }
            try {
                Thread.sleep(backoff.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        }
    }

    /** Dials, parks, serves one PULL; true when a PULL was served (refused or run). */
    private boolean oneSession() throws Exception {
        Link link = connector.connect();
        current = link;
        try {
            if (stopped) {
                return false;
            }
            link.send(Flux.fromIterable(List.of(Frame.of(MessageType.READY.wire(), DirectionCodec.ready(1)))))
                    .block(Connector.CONNECT_TIMEOUT);
            log.info("reverse.parked", "peer", link.peer().name(), "to", spec.describe());
            PeekedLink.First first = PeekedLink.read(link).block();
            if (first == null) {
                log.info("reverse.closed", "peer", link.peer().name(), "reason", String.valueOf(
                        link.onClose().block(Duration.ofSeconds(5))));
                return false;
            }
            Frame f = first.frame();
            byte[] payload = new byte[f.payload().readableBytes()];
            f.payload().readBytes(payload);
            int type = f.type();
            f.release();
            if (type == MessageType.ERROR.wire()) {
                // the sink refused the parked link (no pull job waits for this source there)
                String why;
                try {
                    why = ErrorCodec.decode(payload).message();
                } catch (ProtocolException e) {
                    why = e.getMessage();
                }
                log.warn("reverse.refused", "peer", link.peer().name(), "to", spec.describe(), "reason", why);
                return false;
            }
            boolean mirror = type == MessageType.MIRROR_PULL.wire();
            if (type != MessageType.PULL.wire() && !mirror) {
                PeerDispatcher.refuse(first.link(), ErrorCode.UNKNOWN_MESSAGE, "frame type " + type + " on a parked"
                        + " reverse-pull link; expected PULL or MIRROR_PULL", log, loop).block();
                return false;
            }
            String job;
            try {
                job = mirror ? DirectionCodec.decodeMirrorPull(payload) : DirectionCodec.decodePull(payload);
            } catch (ProtocolException e) {
                PeerDispatcher.refuse(first.link(), e.code(), e.getMessage(), log, loop).block();
                return false;
            }
            (mirror ? pulled.mirrorPulledOverDial(job, first.link(), spec)
                    : pulled.pulledOverDial(job, first.link(), spec)).block();
            return true;
        } finally {
            current = null;
            if (!link.isClosed()) {
                link.close(CloseReason.normal());
            }
        }
    }
}

package dev.sluice.engine.protocol;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.scheduler.Scheduler;

/**
 * The keep-alive of a parked reverse-pull link (docs/protocol.md): while the link is parked the sink sends PING
 * every {@code interval} and the source answers PONG; either side closes the link when it has heard nothing from
 * the other for {@code silence}, so a connection a NAT or firewall dropped is noticed (and redialed by the source)
 * instead of failing the next pull. Time comes from the given scheduler, so tests run it on virtual time.
 *
 * @param interval how often the sink pings a parked link
 * @param silence how long either side waits without hearing from the other before it closes the link
 */
public record Keepalive(Duration interval, Duration silence) {
    /** Ping every 30 s (below the idle timeouts of common NATs and firewalls); give up after 90 s of silence. */
    public static final Keepalive DEFAULT = new Keepalive(Duration.ofSeconds(30), Duration.ofSeconds(90));

    public Keepalive {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(silence, "silence");
        if (interval.isNegative() || interval.isZero() || silence.compareTo(interval) <= 0) {
            throw new IllegalArgumentException("a keep-alive needs an interval above zero and a silence limit above"
                    + " the interval, got " + interval + " and " + silence);
        }
    }

    /**
     * Sends PING over {@code link} every interval until disposed (the sink's side of a parked link). A ping the
     * link cannot take at once is dropped, never queued.
     */
    public Disposable ping(Link link, Scheduler timer) {
        AtomicInteger ids = new AtomicInteger();
        return link.send(Flux.interval(interval, interval, timer)
                        .onBackpressureDrop()
                        .map(t -> Frame.of(MessageType.PING.wire(), DirectionCodec.keepalive(next(ids)))))
                .subscribe(null, e -> link.close(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR,
                        "sending a keep-alive to " + link.peer().name() + " failed: " + e.getMessage())));
    }

    /** Answers one PING with a PONG of the same request id (the source's side of a parked link). */
    public static void pong(Link link, Frame ping) throws ProtocolException {
        byte[] payload = new byte[ping.payload().readableBytes()];
        ping.payload().getBytes(ping.payload().readerIndex(), payload);
        int id = DirectionCodec.decodeKeepalive(MessageType.PING, payload);
        link.send(Flux.fromIterable(List.of(Frame.of(MessageType.PONG.wire(), DirectionCodec.keepalive(id)))))
                .subscribe(null, e -> link.close(CloseReason.of(CloseReason.Code.TRANSPORT_ERROR,
                        "answering a keep-alive of " + link.peer().name() + " failed: " + e.getMessage())));
    }

    /**
     * Watches {@code link} for silence: {@link Watch#heard()} on every frame from the peer; when nothing was heard
     * for the silence limit the link is closed with a reason naming the peer and {@code what} it waited for.
     */
    public Watch watch(Link link, Scheduler timer, String what) {
        return new Watch(link, timer, what);
    }

    private static int next(AtomicInteger ids) {
        return ids.updateAndGet(i -> i == Integer.MAX_VALUE ? 1 : i + 1);
    }

    /** A silence watch on one link; dispose it when the link is no longer parked. */
    public final class Watch implements Disposable {
        private final Link link;
        private final Scheduler timer;
        private final String what;
        private volatile long lastHeard;
        private final Disposable check;

        private Watch(Link link, Scheduler timer, String what) {
            this.link = link;
            this.timer = timer;
            this.what = what;
            this.lastHeard = timer.now(TimeUnit.MILLISECONDS);
            long period = Math.max(1, silence.toMillis() / 3);
            this.check = timer.schedulePeriodically(this::check, period, period, TimeUnit.MILLISECONDS);
        }

        /** Something arrived from the peer. */
        public void heard() {
            lastHeard = timer.now(TimeUnit.MILLISECONDS);
        }

        private void check() {
            if (timer.now(TimeUnit.MILLISECONDS) - lastHeard >= silence.toMillis()) {
                check.dispose();
                link.close(CloseReason.of(CloseReason.Code.PEER_GONE, "no " + what + " from " + link.peer().name()
                        + " for " + silence.toSeconds() + " s; the connection is presumed dead"));
            }
        }

        @Override
        public void dispose() {
            check.dispose();
        }

        @Override
        public boolean isDisposed() {
            return check.isDisposed();
        }
    }
}

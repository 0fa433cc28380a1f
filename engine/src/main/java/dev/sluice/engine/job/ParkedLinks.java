package dev.sluice.engine.job;

import dev.sluice.engine.protocol.Keepalive;
import dev.sluice.engine.protocol.MessageType;
import dev.sluice.engine.protocol.PeekedLink;
import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * The sink's waiting room for reverse pulls: links that sources dialed in and announced with READY wait here,
 * per source identity, until a pull job or a mirror pull job for that identity takes one (or the link closes).
 * While a link is parked the sink pings it ({@link Keepalive}) and closes it when its source stops answering, so a
 * connection a NAT dropped does not wait here for the next pull; a pull takes the newest parked link of its source.
 */
public final class ParkedLinks {

    /**
     * A parked link handed to a pull job: the link, and its first frame after the keep-alive answers (the source's
     * answer to the PULL the job is about to send; read from the moment the link was parked).
     */
    public record Taken(Link link, Mono<PeekedLink.First> answer) {
        public Taken {
            Objects.requireNonNull(link, "link");
            Objects.requireNonNull(answer, "answer");
        }
    }

    private static final class Entry {
        final Link link;
        final Mono<PeekedLink.First> answer;
        Disposable ping;
        Keepalive.Watch watch;
        /** Taken by a pull job, or spoiled by a frame the source sent before any PULL. */
        boolean gone;

        Entry(Link link, Mono<PeekedLink.First> answer) {
            this.link = link;
            this.answer = answer;
        }

        void stopKeepalive() {
            ping.dispose();
            watch.dispose();
        }
    }

    private final Keepalive keepalive;
    private final Scheduler timer;
    private final Map<PeerIdentity, Deque<Entry>> parked = new HashMap<>();
    private final Map<PeerIdentity, Deque<MonoSink<Taken>>> waiting = new HashMap<>();

    /**
     * @param keepalive how often parked links are pinged and how long their silence is borne
     * @param timer where pings and silence checks run (virtual time in tests)
     */
    public ParkedLinks(Keepalive keepalive, Scheduler timer) {
        this.keepalive = Objects.requireNonNull(keepalive, "keepalive");
        this.timer = Objects.requireNonNull(timer, "timer");
    }

    /**
     * Parks {@code link} (its READY already read) for its peer identity, or hands it at once to a job waiting for
     * it. Completes with the close reason when the link has closed (after the pull session, or unused).
     */
    public Mono<CloseReason> park(Link link) {
        PeerIdentity peer = link.peer();
        Keepalive.Watch watch = keepalive.watch(link, timer, "PONG");
        Mono<PeekedLink.First> answer = PeekedLink.read(link, f -> {
            if (f.type() == MessageType.PONG.wire()) {
                watch.heard();
                return true;
            }
            return false;
        }).cache();
        Entry entry = new Entry(link, answer);
        entry.watch = watch;
        entry.ping = keepalive.ping(link, timer);
        MonoSink<Taken> taker;
        synchronized (this) {
            Deque<MonoSink<Taken>> q = waiting.get(peer);
            taker = q == null ? null : q.pollFirst();
            if (taker == null) {
                parked.computeIfAbsent(peer, p -> new ArrayDeque<>()).addLast(entry);
            } else {
                entry.gone = true;
            }
        }
        if (taker != null) {
            entry.stopKeepalive();
            taker.success(new Taken(link, answer));
        }
        // A frame before any PULL breaks the protocol; a failed read ends the link, whose close says why.
        answer.subscribe(first -> spoiled(entry, first), e -> link.close(CloseReason.of(
                CloseReason.Code.TRANSPORT_ERROR, "reading parked link of " + peer.name() + " failed: " + e)));
        return link.onClose().doOnNext(r -> unpark(entry));
    }

    private void spoiled(Entry entry, PeekedLink.First first) {
        synchronized (this) {
            if (entry.gone) {
                return;
            }
            entry.gone = true;
        }
        entry.stopKeepalive();
        int type = first.frame().type();
        first.frame().release();
        entry.link.close(CloseReason.of(CloseReason.Code.PROTOCOL_ERROR, "source " + entry.link.peer().name()
                + " sent frame type " + type + " on its parked link before any PULL"));
    }

    private void unpark(Entry entry) {
        synchronized (this) {
            Deque<Entry> q = parked.get(entry.link.peer());
            if (q != null) {
                q.remove(entry);
            }
        }
        entry.stopKeepalive();
    }

    /** How many open links wait for {@code peer}. */
    public synchronized int parked(PeerIdentity peer) {
        Deque<Entry> q = parked.get(peer);
        return q == null ? 0 : (int) q.stream().filter(e -> !e.gone && !e.link.isClosed()).count();
    }

    /**
     * The newest parked link of {@code peer} (an older one may be a connection the source gave up on), waiting up
     * to {@code wait} for one to arrive; fails with a sentence naming the identity when none came in time.
     */
    public Mono<Taken> take(PeerIdentity peer, Duration wait, Scheduler timer) {
        Mono<Taken> one = Mono.create(sink -> {
            Entry ready = null;
            synchronized (this) {
                Deque<Entry> q = parked.get(peer);
                while (q != null && !q.isEmpty() && ready == null) {
                    Entry e = q.pollLast();
                    if (!e.gone && !e.link.isClosed()) {
                        e.gone = true;
                        ready = e;
                    }
                }
                if (ready == null) {
                    waiting.computeIfAbsent(peer, p -> new ArrayDeque<>()).addLast(sink);
                    sink.onCancel(() -> {
                        synchronized (this) {
                            Deque<MonoSink<Taken>> w = waiting.get(peer);
                            if (w != null) {
                                w.remove(sink);
                            }
                        }
                    });
                }
            }
            if (ready != null) {
                ready.stopKeepalive();
                sink.success(new Taken(ready.link, ready.answer));
            }
        });
        return one.timeout(wait, timer).onErrorMap(TimeoutException.class,
                e -> new IOException("no link from source '" + peer.name() + "' arrived within "
                        + wait.toSeconds() + " s; is its daemon running with a reverse_pull job to this sink?", e));
    }

    /** Closes every parked link (the daemon stops). */
    public void closeAll(String why) {
        List<Entry> all = new ArrayList<>();
        synchronized (this) {
            parked.values().forEach(all::addAll);
            parked.clear();
        }
        for (Entry e : all) {
            e.stopKeepalive();
            e.link.close(CloseReason.of(CloseReason.Code.NORMAL, why));
        }
    }

    /**
     * Blocks until {@code peer} has parked a link (at most {@code wait}) and takes it; a cancel of the run ends the
     * wait.
     *
     * @param what the waiting job, as a log and error text would name it (e.g. {@code pull job web-1-home})
     * @param role what the peer is to that job (e.g. {@code source}, {@code sender})
     * @throws IOException when nothing arrives in time, the run is cancelled, or the wait is interrupted
     */
    public Taken await(PeerIdentity peer, Duration wait, Scheduler timer, Cancellation cancellation, String what,
            String role) throws IOException {
        CompletableFuture<Taken> taking = take(peer, wait, timer).toFuture();
        cancellation.onCancel(() -> taking.cancel(true));
        try {
            return taking.get();
        } catch (CancellationException e) {
            throw new IOException(what + " was cancelled while waiting for " + role + " '" + peer.name() + "'", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException ioe ? ioe : new IOException(String.valueOf(cause.getMessage()), cause);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + role + " '" + peer.name() + "'", e);
        } finally {
            cancellation.onCancel(() -> { });
        }
    }
}

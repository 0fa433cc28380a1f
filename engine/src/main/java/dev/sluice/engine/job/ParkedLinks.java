package dev.sluice.engine.job;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;
import reactor.core.scheduler.Scheduler;

/**
 * The sink's waiting room for reverse pulls: links that sources dialed in and announced with READY wait here,
 * per source identity, until a pull job for that identity takes one (or the link closes).
 */
public final class ParkedLinks {
    private final Map<PeerIdentity, Deque<Link>> parked = new HashMap<>();
    private final Map<PeerIdentity, Deque<MonoSink<Link>>> waiting = new HashMap<>();

    /**
     * Parks {@code link} (its READY already read) for its peer identity, or hands it at once to a job waiting for
     * it. Completes when the link has closed (after the pull session, or unused).
     */
    public Mono<Void> park(Link link) {
        PeerIdentity peer = link.peer();
        MonoSink<Link> taker;
        synchronized (this) {
            Deque<MonoSink<Link>> q = waiting.get(peer);
            taker = q == null ? null : q.pollFirst();
            if (taker == null) {
                parked.computeIfAbsent(peer, p -> new ArrayDeque<>()).addLast(link);
            }
        }
        if (taker != null) {
            taker.success(link);
        }
        return link.onClose().doOnNext(r -> unpark(link)).then();
    }

    private synchronized void unpark(Link link) {
        Deque<Link> q = parked.get(link.peer());
        if (q != null) {
            q.remove(link);
        }
    }

    /** How many open links wait for {@code peer}. */
    public synchronized int parked(PeerIdentity peer) {
        Deque<Link> q = parked.get(peer);
        return q == null ? 0 : (int) q.stream().filter(l -> !l.isClosed()).count();
    }

    /**
     * A parked link of {@code peer}, waiting up to {@code wait} for one to arrive; fails with a sentence naming the
     * identity when none came in time.
     */
    public Mono<Link> take(PeerIdentity peer, Duration wait, Scheduler timer) {
        Mono<Link> one = Mono.create(sink -> {
            Link ready = null;
            synchronized (this) {
                Deque<Link> q = parked.get(peer);
                while (q != null && !q.isEmpty() && ready == null) {
                    Link l = q.pollFirst();
                    if (!l.isClosed()) {
                        ready = l;
                    }
                }
                if (ready == null) {
                    waiting.computeIfAbsent(peer, p -> new ArrayDeque<>()).addLast(sink);
                    sink.onCancel(() -> {
                        synchronized (this) {
                            Deque<MonoSink<Link>> w = waiting.get(peer);
                            if (w != null) {
                                w.remove(sink);
                            }
                        }
                    });
                }
            }
            if (ready != null) {
                sink.success(ready);
            }
        });
        return one.timeout(wait, timer).onErrorMap(java.util.concurrent.TimeoutException.class,
                e -> new java.io.IOException("no link from source '" + peer.name() + "' arrived within "
                        + wait.toSeconds() + " s; is its daemon running with a reverse_pull job to this sink?", e));
    }

    /** Closes every parked link (the daemon stops). */
    public void closeAll(String why) {
        java.util.List<Link> all = new java.util.ArrayList<>();
        synchronized (this) {
            parked.values().forEach(all::addAll);
            parked.clear();
        }
        all.forEach(l -> l.close(CloseReason.of(CloseReason.Code.NORMAL, why)));
    }
}

package dev.sluice.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The behaviour every transport's links share; a transport's test implements {@link #connect()}
 * and inherits these tests.
 */
public abstract class LinkContract {

    protected static final Duration WAIT = Duration.ofSeconds(10);

    /** Two connected links; the first is the connecting side. */
    public record Ends(Link client, Link server) {
    }

    protected abstract Ends connect() throws Exception;

    /** Frames a sender can get ahead of a receiver that requests nothing (a test bound, not a promise). */
    protected abstract int slack();

    protected static Frame text(int type, String s) {
        return Frame.of(type, s.getBytes(StandardCharsets.UTF_8));
    }

    protected static String textOf(Frame f) {
        try {
            return f.type() + ":" + f.payload().toString(StandardCharsets.UTF_8);
        } finally {
            f.release();
        }
    }

    @Test
    void framesTravelBothWaysInOrder() throws Exception {
        Ends e = connect();
        Mono<Void> sent = e.client().send(Flux.range(1, 100).map(i -> text(1 + i % 3, "c" + i))).cache();
        sent.subscribe();
        StepVerifier.create(e.server().receive().take(100).map(LinkContract::textOf).collectList())
                .assertNext(l -> {
                    assertEquals(100, l.size());
                    assertEquals("2:c1", l.get(0));
                    assertEquals("2:c100", l.get(99));
                })
                .expectComplete().verify(WAIT);
        sent.block(WAIT);
        e.server().send(Mono.just(text(9, "pong"))).block(WAIT);
        StepVerifier.create(e.client().receive().map(LinkContract::textOf).take(1))
                .expectNext("9:pong").expectComplete().verify(WAIT);
        e.client().close(CloseReason.normal());
        assertEquals(CloseReason.Code.NORMAL, e.server().onClose().block(WAIT).code());
    }

    @Test
    void aReceiverWithoutDemandHoldsTheSenderBack() throws Exception {
        Ends e = connect();
        AtomicInteger produced = new AtomicInteger();
        int total = slack() + 2000;
        Mono<Void> sending = e.client().send(Flux.range(0, total)
                .doOnNext(i -> produced.incrementAndGet())
                .map(i -> Frame.of(1, new byte[1024])));
        sending.subscribe();
        StepVerifier.create(e.server().receive().map(f -> {
                    f.release();
                    return f.type();
                }), 0)
                .thenAwait(Duration.ofMillis(300))
                .then(() -> assertTrue(produced.get() < total, "sender was not held back: produced "
                        + produced.get() + " of " + total))
                .then(() -> assertTrue(produced.get() <= slack(), "produced " + produced.get()
                        + " frames while the receiver asked for none"))
                .thenRequest(3)
                .expectNext(1, 1, 1)
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(total - 3)
                .thenCancel()
                .verify(WAIT);
        assertEquals(total, produced.get());
        e.client().close(CloseReason.normal());
    }

    @Test
    void normalCloseDeliversWhatWasSentThenCompletes() throws Exception {
        Ends e = connect();
        e.client().send(Flux.just(text(1, "a"), text(1, "b"))).block(WAIT);
        e.client().close(CloseReason.normal());
        StepVerifier.create(e.server().receive().map(LinkContract::textOf))
                .expectNext("1:a", "1:b").expectComplete().verify(WAIT);
        CloseReason seen = e.server().onClose().block(WAIT);
        assertTrue(seen.byPeer());
        assertEquals(CloseReason.Code.NORMAL, seen.code());
        assertFalse(e.client().onClose().block(WAIT).byPeer());
        assertTrue(e.client().isClosed());
        StepVerifier.create(e.client().send(Mono.just(text(1, "late"))))
                .expectError(LinkClosedException.class).verify(WAIT);
    }

    @Test
    void abnormalCloseReachesThePeerWithItsReason() throws Exception {
        Ends e = connect();
        e.server().close(CloseReason.of(CloseReason.Code.APPLICATION_ERROR, "disk full on the sink"));
        StepVerifier.create(e.client().receive())
                .expectErrorSatisfies(t -> {
                    LinkClosedException c = assertInstanceOf(LinkClosedException.class, t);
                    assertEquals(CloseReason.Code.APPLICATION_ERROR, c.reason().code());
                    assertEquals("disk full on the sink", c.reason().detail());
                    assertTrue(c.reason().byPeer());
                })
                .verify(WAIT);
    }

    @Test
    void anOversizedOrReservedFrameFailsTheSendButNotTheLink() throws Exception {
        Ends e = connect();
        int max = e.client().maxFrameLength();
        StepVerifier.create(e.client().send(Mono.just(Frame.of(1, new byte[max + 1]))))
                .expectErrorSatisfies(t -> assertTrue(t.getMessage().contains("exceeds the maximum"), t.getMessage()))
                .verify(WAIT);
        StepVerifier.create(e.client().send(Mono.just(Frame.of(Frame.CONTROL_TYPE, new byte[1]))))
                .expectError(IllegalArgumentException.class).verify(WAIT);
        e.client().send(Mono.just(text(2, "still here"))).block(WAIT);
        StepVerifier.create(e.server().receive().map(LinkContract::textOf).take(1))
                .expectNext("2:still here").expectComplete().verify(WAIT);
        assertFalse(e.client().isClosed());
        e.client().close(CloseReason.normal());
    }

    @Test
    void receiveHasOneSubscriber() throws Exception {
        Ends e = connect();
        e.server().receive().subscribe();
        StepVerifier.create(e.server().receive()).expectError(IllegalStateException.class).verify(WAIT);
        e.client().close(CloseReason.normal());
    }

    @Test
    void concurrentSendsInterleaveButKeepTheirOwnOrder() throws Exception {
        Ends e = connect();
        Mono<Void> sent = Mono.when(e.client().send(Flux.range(0, 500).map(i -> text(1, "a" + i))),
                e.client().send(Flux.range(0, 500).map(i -> text(2, "b" + i)))).cache();
        sent.subscribe();
        List<String> got = e.server().receive().take(1000).map(LinkContract::textOf).collectList().block(WAIT);
        sent.block(WAIT);
        List<String> a = got.stream().filter(s -> s.startsWith("1:")).toList();
        List<String> b = got.stream().filter(s -> s.startsWith("2:")).toList();
        assertEquals(500, a.size());
        for (int i = 0; i < 500; i++) {
            assertEquals("1:a" + i, a.get(i));
            assertEquals("2:b" + i, b.get(i));
        }
        e.client().close(CloseReason.normal());
    }

    /**
     * A send that is subscribed but emits nothing (a keep-alive between its pings) must not hold back another send,
     * also when it came first and was offered every free place.
     */
    @Test
    void aSendThatEmitsNothingDoesNotHoldBackAnother() throws Exception {
        Ends e = connect();
        reactor.core.publisher.Sinks.Many<Frame> quiet = reactor.core.publisher.Sinks.many().unicast()
                .onBackpressureBuffer();
        reactor.core.Disposable idle = e.client().send(quiet.asFlux()).subscribe();
        Thread.sleep(100); // let the quiet send be given its places
        Mono<Void> other = e.client().send(Flux.range(0, 3).map(i -> text(2, "x" + i)));
        other.subscribe();
        StepVerifier.create(e.server().receive().map(LinkContract::textOf).take(3))
                .expectNext("2:x0", "2:x1", "2:x2").expectComplete().verify(WAIT);
        quiet.tryEmitNext(text(1, "late"));
        quiet.tryEmitComplete();
        idle.dispose();
        e.client().close(CloseReason.normal());
    }
}

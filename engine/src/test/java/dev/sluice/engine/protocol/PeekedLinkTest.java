package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** The first frame of a link read on its own, the rest handed on to one later subscriber, in order. */
class PeekedLinkTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static LocalLinks.Pair pair(int capacity) {
        return LocalLinks.pair(new PeerIdentity("b"), new PeerIdentity("a"), LinkSpec.DEFAULT, capacity);
    }

    private static String text(Frame f) {
        try {
            return f.type() + ":" + f.payload().toString(StandardCharsets.UTF_8);
        } finally {
            f.release();
        }
    }

    private static Frame frame(int type, String text) {
        return Frame.of(type, text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theFirstFrameAloneThenTheRestInOrder() {
        LocalLinks.Pair p = pair(16);
        p.first().send(Flux.range(1, 5).map(i -> frame(i, "f" + i))).subscribe();
        PeekedLink.First first = PeekedLink.read(p.second()).block(WAIT);
        assertNotNull(first);
        assertEquals("1:f1", text(first.frame()));
        List<String> rest = first.link().receive().take(4).map(PeekedLinkTest::text).collectList().block(WAIT);
        assertEquals(List.of("2:f2", "3:f3", "4:f4", "5:f5"), rest);
    }

    @Test
    void theRestIsNotReadUntilSomeoneAsks() throws Exception {
        // with a one-frame queue the sender can only finish once the rest is read
        LocalLinks.Pair p = pair(1);
        Mono<Void> sent = p.first().send(Flux.range(1, 6).map(i -> frame(i, "f" + i))).cache();
        sent.subscribe();
        PeekedLink.First first = PeekedLink.read(p.second()).block(WAIT);
        text(first.frame());
        Thread.sleep(200);
        assertThrows(IllegalStateException.class, () -> sent.block(Duration.ofMillis(300)),
                "the sender finished although nobody read the rest");
        assertEquals(5, first.link().receive().take(5).map(PeekedLinkTest::text).collectList().block(WAIT).size());
        sent.block(WAIT);
    }

    @Test
    void replayingPutsTheFirstFrameBackAndReceiveAllowsOneSubscriber() {
        LocalLinks.Pair p = pair(16);
        p.first().send(Flux.range(1, 3).map(i -> frame(i, "f" + i))).subscribe();
        PeekedLink.First first = PeekedLink.read(p.second()).block(WAIT);
        Link again = first.link().replaying(first.frame());
        assertEquals(List.of("1:f1", "2:f2", "3:f3"),
                again.receive().take(3).map(PeekedLinkTest::text).collectList().block(WAIT));
        assertThrows(IllegalStateException.class, () -> again.receive().blockFirst(WAIT));
    }

    @Test
    void aLinkEndingBeforeAnyFrameGivesNothingAndALaterEndReachesTheRest() {
        LocalLinks.Pair p = pair(16);
        p.first().close(CloseReason.normal());
        assertNull(PeekedLink.read(p.second()).block(WAIT));

        LocalLinks.Pair q = pair(16);
        q.first().send(Flux.just(frame(1, "only"))).block(WAIT);
        PeekedLink.First first = PeekedLink.read(q.second()).block(WAIT);
        text(first.frame());
        q.first().close(CloseReason.normal());
        assertTrue(first.link().receive().collectList().block(WAIT).isEmpty());
    }

    @Test
    void framesTheSkipTakesAreReleasedAndTheFirstOtherFrameLeads() {
        LocalLinks.Pair p = pair(2);
        java.util.List<String> skipped = new java.util.concurrent.CopyOnWriteArrayList<>();
        // more skipped frames than the link holds: each skip asks for the next one
        p.first().send(Flux.concat(Flux.range(1, 5).map(i -> frame(19, "pong" + i)),
                Flux.just(frame(1, "open"), frame(19, "late"), frame(3, "has")))).subscribe();
        PeekedLink.First first = PeekedLink.read(p.second(), f -> {
            if (f.type() != 19) {
                return false;
            }
            skipped.add(f.payload().toString(StandardCharsets.UTF_8));
            return true;
        }).block(WAIT);
        assertNotNull(first);
        assertEquals("1:open", text(first.frame()));
        assertEquals(List.of("pong1", "pong2", "pong3", "pong4", "pong5"), skipped);
        // after the first frame the skip no longer applies
        assertEquals(List.of("19:late", "3:has"), first.link().receive().take(2).map(PeekedLinkTest::text)
                .collectList().block(WAIT));
    }
}

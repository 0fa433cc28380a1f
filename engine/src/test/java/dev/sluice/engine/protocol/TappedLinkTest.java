package dev.sluice.engine.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import dev.sluice.transport.local.LocalLinks;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;

class TappedLinkTest {

    /**
     * Frames decoded from one read share the reference count of the bytes they were cut from (as the link's
     * decoder cuts them). A tapped frame must be released exactly once, also when the subscriber has a discard
     * hook that releases frames: a second release would free the bytes the next frame still uses.
     */
    @Test
    void aTappedFrameIsReleasedOnceEvenUnderADiscardHook() {
        LocalLinks.Pair p = LocalLinks.pair(new PeerIdentity("b"), new PeerIdentity("a"), LinkSpec.DEFAULT, 16);
        ByteBuf read = Unpooled.buffer().writeBytes(new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9});
        Frame tapped = new Frame(7, read.retainedSlice(0, 3));
        Frame kept = new Frame(3, read.retainedSlice(3, 3));
        Frame last = new Frame(3, read.retainedSlice(6, 3));
        read.release(); // the decoder's own reference: now the three frames hold it
        List<Integer> tappedTypes = new ArrayList<>();
        Link tappedLink = new TappedLink(p.second(), t -> t == 7, f -> tappedTypes.add(f.type()));
        p.first().send(Flux.just(tapped, kept, last)).block(Duration.ofSeconds(5));
        List<Integer> refCounts = new ArrayList<>();
        tappedLink.receive()
                .doOnDiscard(Frame.class, Frame::releaseQuietly)
                .take(2)
                .doOnNext(f -> {
                    refCounts.add(f.payload().refCnt());
                    f.release();
                })
                .blockLast(Duration.ofSeconds(5));
        assertEquals(List.of(7), tappedTypes);
        // after the tap: two frames still hold the bytes, then one
        assertEquals(List.of(2, 1), refCounts);
        assertEquals(0, read.refCnt());
    }
}

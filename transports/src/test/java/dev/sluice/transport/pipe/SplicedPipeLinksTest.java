package dev.sluice.transport.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.LinkContract;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import io.netty.channel.unix.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.test.StepVerifier;

/**
 * The link contract over two real kernel pipes given as descriptors, which {@link PipeLinks} splices into the
 * link's socket in the kernel ({@link Splicer}): no relay thread, no copy in the JVM.
 */
class SplicedPipeLinksTest extends LinkContract {

    static final PipeLinks links = PipeLinks.create();
    static final LinkSpec SPEC = LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024);

    @AfterAll
    static void stop() {
        links.close();
    }

    @Override
    protected Ends connect() throws Exception {
        return connect(FileDescriptor.pipe(), FileDescriptor.pipe(), "a", "b");
    }

    private static Ends connect(FileDescriptor[] ab, FileDescriptor[] ba, String a, String b) {
        var both = Mono.zip(
                links.open(ba[0], ab[1], a, SPEC, new PeerIdentity("sink"), true),
                links.open(ab[0], ba[1], b, SPEC, new PeerIdentity("source"), false)).block(WAIT);
        return new Ends(both.getT1(), both.getT2());
    }

    @Override
    protected int slack() {
        // pipe and socket buffers on the way plus the outbound high-water mark, in 1 KiB frames
        return 16 * 1024;
    }

    @Test
    void noRelayThreadRunsAndEveryDescriptorIsClosedWhenTheLinkEnds() throws Exception {
        FileDescriptor[] ab = FileDescriptor.pipe();
        FileDescriptor[] ba = FileDescriptor.pipe();
        Ends e = connect(ab, ba, "spliced-a", "spliced-b");
        assertEquals(0, Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains("spliced-")).count(), "a relay thread was started");
        e.client().send(Mono.just(text(1, "x"))).block(WAIT);
        StepVerifier.create(e.server().receive().map(LinkContract::textOf).take(1))
                .expectNext("1:x").expectComplete().verify(WAIT);
        e.client().close(CloseReason.normal());
        assertEquals(CloseReason.Code.NORMAL, e.server().onClose().block(WAIT).code());
        for (int i = 0; i < 200 && (ab[0].isOpen() || ab[1].isOpen() || ba[0].isOpen() || ba[1].isOpen()); i++) {
            Thread.sleep(50);
        }
        for (FileDescriptor fd : new FileDescriptor[] {ab[0], ab[1], ba[0], ba[1]}) {
            assertFalse(fd.isOpen(), "pipe descriptor " + fd + " was left open");
        }
    }

    /**
     * The sender writes far more than the pipes and sockets hold and leaves while the receiver reads nothing: its
     * pipe hangs up with bytes still in it behind a full socket (where a splice answers 0 as at the end). Every
     * byte must still arrive, then the normal close.
     */
    @Test
    void aPeerThatLeavesWithBytesStillInThePipeHasThemAllDelivered() throws Exception {
        Ends e = connect();
        int frames = 4096;
        int size = 16 * 1024;
        Mono<Void> sent = e.client().send(Flux.range(0, frames).map(i -> Frame.of(1 + i % 7, new byte[size])))
                .then(Mono.fromRunnable(() -> e.client().close(CloseReason.normal())));
        sent.subscribe();
        AtomicLong bytes = new AtomicLong();
        StepVerifier.create(e.server().receive().map(f -> {
                    bytes.addAndGet(f.payload().readableBytes());
                    int t = f.type();
                    f.release();
                    return t;
                }), 0)
                .thenAwait(java.time.Duration.ofMillis(500))
                .thenRequest(Long.MAX_VALUE)
                .expectNextCount(frames)
                .expectComplete()
                .verify(WAIT);
        assertEquals((long) frames * size, bytes.get());
        CloseReason seen = e.server().onClose().block(WAIT);
        assertTrue(seen.byPeer());
        assertEquals(CloseReason.Code.NORMAL, seen.code());
    }

    /**
     * The side that closes its link and then its {@link PipeLinks} at once (a command ending a run over ssh) still
     * delivers what it wrote last: the peer gets the last frame and the normal close, not "peer gone". The splicer
     * has to move those bytes into the pipe before the event loop stops, and the staying side must deliver them even
     * when its own writes to the closed peer fail first; both are races, so it is run many times.
     */
    @Test
    void closingThePipeLinksRightAfterTheLinkStillDeliversTheClose() throws Exception {
        for (int round = 0; round < 300; round++) {
            FileDescriptor[] ab = FileDescriptor.pipe();
            FileDescriptor[] ba = FileDescriptor.pipe();
            PipeLinks own = PipeLinks.create();
            var both = Mono.zip(
                    own.open(ba[0], ab[1], "closing", SPEC, new PeerIdentity("sink"), true),
                    links.open(ab[0], ba[1], "staying", SPEC, new PeerIdentity("source"), false)).block(WAIT);
            both.getT1().send(Mono.just(text(1, "last"))).block(WAIT);
            both.getT1().close(CloseReason.normal());
            own.close();
            StepVerifier.create(both.getT2().receive().map(LinkContract::textOf))
                    .expectNext("1:last").expectComplete().verify(WAIT);
            CloseReason seen = both.getT2().onClose().block(WAIT);
            assertEquals(CloseReason.Code.NORMAL, seen.code(), "round " + round + ": " + seen);
        }
    }

    /** The far process dies before the handshake: its pipes break and the open fails, leaving nothing open. */
    @Test
    void aPeerThatDiesFailsTheOpenAndLeavesNoDescriptorOpen() throws Exception {
        FileDescriptor[] toPeer = FileDescriptor.pipe();
        FileDescriptor[] fromPeer = FileDescriptor.pipe();
        StepVerifier.create(links.open(fromPeer[0], toPeer[1], "dying", SPEC, new PeerIdentity("gone"), true))
                .then(() -> {
                    try {
                        toPeer[0].close();
                        fromPeer[1].close();
                    } catch (java.io.IOException ex) {
                        throw new IllegalStateException(ex);
                    }
                })
                .expectError()
                .verify(WAIT);
        for (int i = 0; i < 200 && (toPeer[1].isOpen() || fromPeer[0].isOpen()); i++) {
            Thread.sleep(50);
        }
        assertFalse(toPeer[1].isOpen(), "the pipe to the gone peer was left open");
        assertFalse(fromPeer[0].isOpen(), "the pipe from the gone peer was left open");
    }

    @Test
    void onlyPipesAreSpliced(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path f = Files.writeString(dir.resolve("f"), "");
        FileDescriptor file = FileDescriptor.from(f.toFile());
        try {
            assertFalse(FdStreams.isPipe(file));
            FileDescriptor[] p = FileDescriptor.pipe();
            assertTrue(FdStreams.isPipe(p[0]));
            p[0].close();
            p[1].close();
        } finally {
            file.close();
        }
    }
}

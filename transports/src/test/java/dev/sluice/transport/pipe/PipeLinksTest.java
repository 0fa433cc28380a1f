package dev.sluice.transport.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Link;
import dev.sluice.transport.LinkContract;
import dev.sluice.transport.LinkSpec;
import dev.sluice.transport.PeerIdentity;
import io.netty.channel.unix.FileDescriptor;
import java.nio.channels.Channels;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/** The link contract over two real kernel pipes, one per direction, relayed by {@link PipeLinks}. */
class PipeLinksTest extends LinkContract {

    static final PipeLinks links = PipeLinks.create();

    @AfterAll
    static void stop() {
        links.close();
    }

    @Override
    protected Ends connect() throws Exception {
        FileDescriptor[] ab = FileDescriptor.pipe();
        FileDescriptor[] ba = FileDescriptor.pipe();
        LinkSpec spec = LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024);
        // end a over buffered streams, as a child process's (the ssh fallback): each write must be flushed
        Mono<Link> a = links.open(new java.io.BufferedInputStream(Channels.newInputStream(FdStreams.readable(ba[0]))),
                new java.io.BufferedOutputStream(Channels.newOutputStream(FdStreams.writable(ab[1]))), "a", spec,
                new PeerIdentity("sink"), true);
        Mono<Link> b = links.open(FdStreams.readable(ab[0]), FdStreams.writable(ba[1]), "b", spec,
                new PeerIdentity("source"), false);
        var both = Mono.zip(a, b).block(WAIT);
        return new Ends(both.getT1(), both.getT2());
    }

    @Override
    protected int slack() {
        // pipe and socket buffers on the way plus the outbound high-water mark, in 1 KiB frames
        return 16 * 1024;
    }

    @Test
    void eachEndSeesTheConfiguredPeer() throws Exception {
        Ends e = connect();
        assertEquals("sink", e.client().peer().name());
        assertEquals("source", e.server().peer().name());
        e.client().close(CloseReason.normal());
        assertEquals(CloseReason.Code.NORMAL, e.server().onClose().block(WAIT).code());
    }

    @Test
    void afterTheLinkEndsTheRelayThreadsEndAndThePipesAreClosed() throws Exception {
        FileDescriptor[] ab = FileDescriptor.pipe();
        FileDescriptor[] ba = FileDescriptor.pipe();
        LinkSpec spec = LinkSpec.DEFAULT.withMaxFrameLength(64 * 1024);
        var both = Mono.zip(
                links.open(FdStreams.readable(ba[0]), FdStreams.writable(ab[1]), "leakcheck-a", spec,
                        new PeerIdentity("sink"), true),
                links.open(FdStreams.readable(ab[0]), FdStreams.writable(ba[1]), "leakcheck-b", spec,
                        new PeerIdentity("source"), false)).block(WAIT);
        both.getT1().send(Mono.just(text(1, "x"))).block(WAIT);
        reactor.core.publisher.Flux<dev.sluice.transport.Frame> in = both.getT2().receive().publish().autoConnect();
        java.util.List<String> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        var done = in.doOnNext(f -> got.add(textOf(f))).then().toFuture();
        both.getT1().close(CloseReason.normal());
        done.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(java.util.List.of("1:x"), got);
        // the relays end on their own once both directions have ended; wait for them (bounded)
        for (int i = 0; i < 200 && relayThreads() > 0; i++) {
            Thread.sleep(50);
        }
        assertEquals(0, relayThreads(), "relay threads still running after the link ended");
        for (FileDescriptor fd : new FileDescriptor[] {ab[0], ab[1], ba[0], ba[1]}) {
            assertEquals(false, fd.isOpen(), "pipe descriptor " + fd + " was left open");
        }
    }

    private static long relayThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains("leakcheck-")).count();
    }
}

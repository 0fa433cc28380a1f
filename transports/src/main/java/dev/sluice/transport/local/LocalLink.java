package dev.sluice.transport.local;

import dev.sluice.transport.CloseReason;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import dev.sluice.transport.PeerIdentity;
import org.reactivestreams.Publisher;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;
import reactor.core.publisher.Sinks;

/** One end of an in-process link made by {@link LocalLinks#pair}. */
final class LocalLink implements Link {

    private final PeerIdentity peer;
    private final LocalPipe inbound;
    private final LocalPipe outbound;
    private final Sinks.One<CloseReason> closed = Sinks.one();
    private final Object pairLock;
    private LocalLink other;
    private volatile boolean isClosed;

    LocalLink(PeerIdentity peer, LocalPipe inbound, LocalPipe outbound, Object pairLock) {
        this.peer = peer;
        this.pairLock = pairLock;
        this.inbound = inbound;
        this.outbound = outbound;
    }

    void connect(LocalLink other) {
        this.other = other;
    }

    @Override
    public PeerIdentity peer() {
        return peer;
    }

    @Override
    public int maxFrameLength() {
        return outbound.maxFrameLength();
    }

    @Override
    public Flux<Frame> receive() {
        return new Flux<Frame>() {
            @Override
            public void subscribe(CoreSubscriber<? super Frame> actual) {
                if (!inbound.subscribe(actual)) {
                    Operators.error(actual, new IllegalStateException("receive() of the link to " + peer
                            + " may be subscribed only once"));
                }
            }
        };
    }

    @Override
    public Mono<Void> send(Publisher<Frame> frames) {
        return Mono.create(sink -> Flux.from(frames).doOnDiscard(Frame.class, Frame::releaseQuietly)
                .subscribe(outbound.sender(sink)));
    }

    @Override
    public Mono<CloseReason> onClose() {
        return closed.asMono();
    }

    @Override
    public boolean isClosed() {
        return isClosed;
    }

    @Override
    public void close(CloseReason reason) {
        CloseReason local = new CloseReason(reason.code(), reason.detail(), false);
        CloseReason remote = new CloseReason(reason.code(), reason.detail(), true);
        synchronized (pairLock) {
            if (isClosed || other.isClosed) {
                return;
            }
            isClosed = true;
            other.isClosed = true;
        }
        // what this side sent is still delivered to the other side, then its receive ends
        outbound.end(remote, local, true);
        // what the other side sent and this side has not taken is dropped
        inbound.end(local, remote, false);
        closed.tryEmitValue(local);
        other.closed.tryEmitValue(remote);
    }
}

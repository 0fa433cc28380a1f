package dev.sluice.transport;

import java.util.Objects;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * A link that hands every call on to another link; a wrapper overrides only what it changes (for example
 * {@link #receive()} to filter or prepend frames, or {@link #close(CloseReason)} to hold a close back).
 */
public abstract class ForwardingLink implements Link {
    private final Link link;

    protected ForwardingLink(Link link) {
        this.link = Objects.requireNonNull(link, "link");
    }

    /** The link this one forwards to. */
    protected final Link delegate() {
        return link;
    }

    @Override
    public PeerIdentity peer() {
        return link.peer();
    }

    @Override
    public int maxFrameLength() {
        return link.maxFrameLength();
    }

    @Override
    public Flux<Frame> receive() {
        return link.receive();
    }

    @Override
    public Mono<Void> send(Publisher<Frame> frames) {
        return link.send(frames);
    }

    @Override
    public Mono<CloseReason> onClose() {
        return link.onClose();
    }

    @Override
    public void close(CloseReason reason) {
        link.close(reason);
    }

    @Override
    public boolean isClosed() {
        return link.isClosed();
    }
}

package dev.sluice.engine.protocol;

import dev.sluice.transport.ForwardingLink;
import dev.sluice.transport.Frame;
import dev.sluice.transport.Link;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import reactor.core.publisher.Flux;

/**
 * A link whose {@link #receive()} takes the frames of some types out of the stream and hands them to a tap
 * instead (the source's OUTCOME at the end of a pulled session, a late keep-alive that crossed the hand-over of a
 * parked link); every other frame passes on unchanged, with the same backpressure.
 */
public final class TappedLink extends ForwardingLink {
    private final IntPredicate types;
    private final Consumer<Frame> tap;

    /**
     * @param types the frame types the tap takes
     * @param tap reads each such frame (it must not keep or release it; the frame is released after the tap)
     */
    public TappedLink(Link link, IntPredicate types, Consumer<Frame> tap) {
        super(link);
        this.types = types;
        this.tap = tap;
    }

    @Override
    public Flux<Frame> receive() {
        // handle, not filter: a filter hands what it drops to the subscriber's discard hook, which would release
        // the tapped frame a second time (its payload shares the reference count of the bytes read with it)
        return delegate().receive().handle((f, sink) -> {
            if (!types.test(f.type())) {
                sink.next(f);
                return;
            }
            try {
                tap.accept(f);
            } finally {
                Frame.releaseQuietly(f);
            }
        });
    }
}
